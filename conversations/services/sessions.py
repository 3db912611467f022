"""Practice sessions: start, take a turn, end, archive."""

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from waffle.models import Flag

from config.compiled import CompiledQuery, CompiledUpdate
from config.exceptions import ParleyError
from conversations.exceptions import LanguageNotSpoken, SessionClosed, SessionNotFound, TurnInProgress
from conversations.models import (
    Conversation,
    ConversationKind,
    FlagVariant,
    Membership,
    MembershipRole,
    Message,
    MessageRole,
    MessageState,
    PracticeSession,
    SessionMode,
    SessionStatus,
    Strictness,
)
from conversations.scenarios.sessions import scenario_turn, small_talk_template
from conversations.services.context import (
    ReplyPlan,
    Window,
    reply_plan,
    reply_request_build,
    turn_window,
    window_store,
)
from conversations.services.leases import lease_held, lease_renew
from conversations.services.messages import (
    client_id_clean,
    content_clean,
    message_append,
    messages_append,
)
from conversations.services.metrics import observe_session_end
from partner.scenarios.phrases import SPOKEN
from templates.models import ConversationTemplate
from templates.selectors import template_get, template_list

logger = logging.getLogger("parley.sessions")

FREE_FORM_FLAG = "free_form_conversation"
# A session started with neither a template nor a language.
DEFAULT_LANGUAGE = "japanese"
DEFAULT_LEVEL = "beginner"

# What seeds a focused session ("due": the review queue's due cards), registered at start-up by the app
# that owns the queue; conversations sits below it and must not import it.
FocusSeeder = Callable[..., list[dict]]
_FOCUS_SEEDERS: dict[str, FocusSeeder] = {}


def focus_seeder_register(*, focus: str, seeder: FocusSeeder) -> None:
    """Let `seeder(user=, language=)` pick the targets of sessions started with this focus."""
    _FOCUS_SEEDERS[focus] = seeder


# What a session of a mode starts with when it is started without context (interview: the learner's
# profile, stories and training focus), registered at start-up by the app that owns it.
ContextProvider = Callable[..., dict]
_CONTEXT_PROVIDERS: dict[str, ContextProvider] = {}


def context_provider_register(*, mode: str, provider: ContextProvider) -> None:
    """Let `provider(user=, mode=, preparation_type=, meeting_subtype=)` give this mode's sessions their context."""
    _CONTEXT_PROVIDERS[mode] = provider


# The partner's first line in a session of a mode when no template opens it (interview: the
# interviewer's welcome and first question), registered at start-up by the app that owns the mode:
# `opening(request)` gets the ReplyRequest of the session's first turn, with no learner text yet.
_OPENINGS: dict[str, Callable[..., str | None]] = {}


def opening_register(*, mode: str, opening: Callable[..., str | None]) -> None:
    _OPENINGS[mode] = opening


# A rehearsal without a template is named after what it prepares for.
_REHEARSAL_TITLES = {"Corporate": "Meeting rehearsal", "Other": "Rehearsal"}


def _focus_targets(*, user, focus: str, language: str) -> list[dict]:
    seeder = _FOCUS_SEEDERS.get(focus)
    if seeder is None:
        raise ParleyError(f'Unknown focus "{focus}".', fields={"focus": [f'"{focus}" is not a valid choice.']})
    return seeder(user=user, language=language)


def _targets_line(targets: list[dict]) -> str:
    """The partner's brief for a focused session: the words and structures to steer the learner toward."""
    words = [f"{t['text']} ({t['hint']})" if t.get("hint") else t["text"] for t in targets if t["kind"] != "structure"]
    structures = [t["text"] for t in targets if t["kind"] == "structure"]
    parts = []
    if words:
        parts.append("steer the conversation so the learner needs these words and phrases: " + "; ".join(words))
    if structures:
        parts.append("give them chances to practise " + "; ".join(structures))
    return ("In this review session, " + ", and ".join(parts) + ".") if parts else ""


def _previous_attempt(*, user, template: ConversationTemplate | None) -> PracticeSession | None:
    """The learner's last session on the same scenario, for the review's side-by-side view."""
    if template is None:
        return None
    return (
        PracticeSession.objects.filter(user=user, template=template)
        .exclude(status=SessionStatus.ARCHIVED)
        .order_by("-created_at")
        .first()
    )


def free_form_allowed(*, user) -> bool:
    """The template-driven vs free-form flag: a deployment switch (everyone) and a percentage experiment.

    Bucketing hashes the user id, so a learner stays in the same arm across sessions and processes.
    """
    flag = Flag.objects.filter(name=FREE_FORM_FLAG).first()
    if flag is None:
        return False
    if flag.everyone is not None:
        return bool(flag.everyone)
    if flag.percent:
        bucket = int(hashlib.sha256(f"{FREE_FORM_FLAG}:{user.id}".encode()).hexdigest(), 16) % 100
        if bucket < flag.percent:
            return True
    return bool(flag.is_active_for_user(user))


def _template_resolve(*, template: str, language: str, level: str) -> ConversationTemplate:
    """The template by id, or by slug narrowed by whichever of language and level were given."""
    try:
        template_id = uuid.UUID(str(template))
    except ValueError:
        return template_get(slug=template, language=language, level=level)
    found = template_list().filter(id=template_id).first()
    if found is None:
        return template_get(slug=str(template))
    return found


@transaction.atomic
def session_start(
    *,
    user,
    mode: str,
    language: str = "",
    level: str = "",
    persona: str = "friendly",
    strictness: str = "balanced",
    template: str | None = None,
    preparation_type: str = "",
    meeting_subtype: str = "",
    context: dict | None = None,
    free_form: bool = False,
    focus: str = "",
) -> PracticeSession:
    """Start a session; a template's opening turn becomes the first AI message.

    A template decides the session's language, level and mode (a rehearsal template makes an
    interview session); `language` and `level`, when given, only narrow which template a slug names.
    Without a template, the session is free-form when the learner asked for it (`free_form`), it is
    a focused session, or the flag allows it for this user, and otherwise follows the first template
    for the language and level. A replay of a scenario links to the previous attempt. Raises
    TemplateNotFound, and ParleyError for an unknown focus.
    """
    chosen = _template_resolve(template=template, language=language, level=level) if template else None
    if chosen is not None and mode != SessionMode.ASSISTANT:
        mode = chosen.mode
    language = language or DEFAULT_LANGUAGE
    level = level or DEFAULT_LEVEL
    if mode == SessionMode.LANGUAGE and (chosen.language if chosen else language) not in SPOKEN:
        spoken = ", ".join(name.title() for name in sorted(SPOKEN))
        raise LanguageNotSpoken(
            f"The partner does not speak {language.title()} yet. Choose one of: {spoken}.",
            fields={"language": ["The partner does not speak this language yet."]},
        )
    variant = FlagVariant.TEMPLATE
    if chosen is None:
        if free_form or focus or free_form_allowed(user=user):
            variant = FlagVariant.FREE_FORM
        else:
            chosen = template_list(language=language, level=level, mode=mode).first()
            variant = FlagVariant.TEMPLATE if chosen else FlagVariant.FREE_FORM
    if chosen is not None:
        language, level = chosen.language, chosen.level
        preparation_type = preparation_type or chosen.preparation_type
        meeting_subtype = meeting_subtype or chosen.meeting_subtype

    if not context and (provider := _CONTEXT_PROVIDERS.get(mode)) is not None:
        context = provider(user=user, mode=mode, preparation_type=preparation_type, meeting_subtype=meeting_subtype)
    targets = _focus_targets(user=user, focus=focus, language=language) if focus else []
    if line := _targets_line(targets):
        # Session context reaches the partner's prompt as it is.
        context = {**(context or {}), "practice_targets": line}
    if focus:
        title = f"{language.title()} review: what is due"
    else:
        title = chosen.title if chosen else f"{language.title()} {level} practice"
    if chosen is None and mode == SessionMode.INTERVIEW:
        prep = preparation_type or "Interview"
        title = _REHEARSAL_TITLES.get(prep, f"{prep} rehearsal")
    conversation = Conversation.objects.create(
        kind=ConversationKind.ASSISTANT if mode == "assistant" else ConversationKind.PRACTICE,
        title=title,
        created_by=user,
    )
    Membership.objects.create(conversation=conversation, user=user, role=MembershipRole.OWNER)
    session = PracticeSession.objects.create(
        conversation=conversation,
        user=user,
        mode=mode,
        language=language,
        level=level,
        persona=persona,
        strictness=strictness,
        template=chosen,
        preparation_type=preparation_type,
        meeting_subtype=meeting_subtype,
        context=context or {},
        flag_variant=variant,
        previous_attempt=_previous_attempt(user=user, template=chosen),
        focus=focus,
        targets=targets,
    )
    # A free-form session opens with its language's small-talk script, which the offline partner follows.
    source = chosen or _small_talk(mode=mode, language=language, level=level)
    opening = source.opening_turn if source else None
    if opening is None and (write := _OPENINGS.get(mode)) is not None:
        first = reply_request_build(session=session, user_text="", before_seq=1, window=Window(after_seq=0, through=0))
        opening = {"text": text} if (text := write(first)) else None
    said = []
    if opening:
        said.append(
            message_append(
                conversation=conversation,
                sender=None,
                role=MessageRole.ASSISTANT,
                content=opening["text"],
                meta={
                    "source": "template",
                    "reading": opening.get("reading", ""),
                    "translation": opening.get("translation", ""),
                },
            )
        )
    # The first turn's reply then finds its context window cached.
    window_store(session=session, window=Window(after_seq=0, through=0), messages=said)
    return session


def _small_talk(*, mode: str, language: str, level: str) -> ConversationTemplate | None:
    return small_talk_template(language=language, level=level) if mode == SessionMode.LANGUAGE else None


@dataclass(frozen=True)
class TurnStart:
    """A learner's turn as stored, and the reply placeholder to generate into (None: nothing to do);
    `plan`: what the reply is written from, when it was worked out with the turn (turn_submit)."""

    user_message: Message
    created: bool
    ai_message: Message | None
    generate: bool
    plan: ReplyPlan | None = None


def _reply_to(user_message: Message) -> Message | None:
    return (
        Message.objects.filter(
            conversation_id=user_message.conversation_id, seq__gt=user_message.seq, role=MessageRole.ASSISTANT
        )
        .order_by("-seq")
        .first()
    )


PLACEHOLDER = {"sender": None, "role": MessageRole.ASSISTANT, "content": "", "state": MessageState.STREAMING}


def placeholder_append(conversation: Conversation) -> Message:
    message = message_append(conversation=conversation, **PLACEHOLDER)
    lease_renew(message_id=message.id)
    return message


# Compiled once: every turn runs the lock and one of the looks below (config/compiled.py).
_SESSION_LOCK = CompiledQuery(
    lambda session_id: (
        PracticeSession.objects.select_related("conversation")
        .select_for_update(of=("conversation",))
        .filter(id=session_id)
        .order_by()
    ),
    fields=[PracticeSession._meta.pk],
)


def _streaming_or_sent(conversation_id, sender_id=None, client_id=None):
    # Unordered: Message's default order (by conversation) would join the conversation table.
    wanted = Q(conversation_id=conversation_id, state=MessageState.STREAMING)
    if client_id is not None:
        wanted |= Q(sender_id=sender_id, client_id=client_id)
    return Message.objects.filter(wanted).order_by()


_STREAMING = CompiledQuery(_streaming_or_sent, fields=[Message._meta.get_field("conversation")])
_STREAMING_OR_SENT = CompiledQuery(
    _streaming_or_sent,
    fields=[Message._meta.get_field(name) for name in ("conversation", "sender", "client_id")],
)


def session_lock(*, session: PracticeSession) -> Conversation:
    """Lock the session's conversation (every seq is handed out under it) and refresh every field of
    the session and its conversation, in one statement: the caller may hold a copy read turns ago.
    Call inside a transaction; raises SessionNotFound."""
    locked = _SESSION_LOCK.first(session.id)
    if locked is None:
        raise SessionNotFound()
    for field in PracticeSession._meta.concrete_fields:
        setattr(session, field.attname, getattr(locked, field.attname))
    session.conversation = locked.conversation
    return locked.conversation


def reply_abandoned(*, message: Message) -> bool:
    """Whether a `streaming` reply has no task writing it any more (its lease lapsed, or it is very old)."""
    cutoff = timezone.now() - timedelta(seconds=settings.REPLY_STALE_SECONDS)
    return message.created_at < cutoff or not lease_held(message_id=message.id)


def abandoned_reply_fail(*, message: Message) -> bool:
    """Mark an abandoned reply failed, unless it finished meanwhile. True when this call failed it."""
    if not Message.objects.filter(id=message.id, state=MessageState.STREAMING).update(state=MessageState.FAILED):
        return False
    message.state = MessageState.FAILED
    logger.warning("marked abandoned reply %s failed in conversation %s", message.id, message.conversation_id)
    return True


def reply_in_progress(*, conversation: Conversation, streaming: list[Message] | None = None) -> bool:
    """Whether a reply is still being written; first marks failed the replies `streaming` whose
    generation died with its process (reply_abandoned).

    Left alone they would refuse every later turn of the session as "in progress". The caller
    holds the conversation lock; `streaming` when it has read the conversation's streaming messages.
    """
    if streaming is None:
        streaming = (
            conversation.messages.filter(state=MessageState.STREAMING)
            .order_by()
            .only("id", "created_at", "conversation_id")
        )
    in_progress = False
    for message in streaming:
        if not (reply_abandoned(message=message) and abandoned_reply_fail(message=message)):
            in_progress = True
    return in_progress


def _turn_rows(*, conversation: Conversation, sender, client_id: str | None) -> tuple[list[Message], Message | None]:
    """In one query: the conversation's replies still `streaming`, and the sender's message stored
    under `client_id` (message_find_by_client_id), if any."""
    if client_id is None:
        found = _STREAMING.all(conversation.id)
    else:
        found = _STREAMING_OR_SENT.all(conversation.id, sender.pk, client_id)
    streaming, existing = [], None
    for message in found:
        if client_id is not None and message.sender_id == sender.pk and message.client_id == client_id:
            existing = message
        else:
            streaming.append(message)
    return streaming, existing


def _turn_counted(session_id, scenario=None):
    changes = {"user_turns": F("user_turns") + 1}
    if scenario is not None:
        changes["scenario"] = scenario
    return PracticeSession.objects.filter(id=session_id), changes


# A turn's UPDATE of its session, compiled once (config.compiled): the turn counted, and the scenario
# moved on when the turn moved it.
_TURN_COUNTED = CompiledUpdate(_turn_counted, fields=[PracticeSession._meta.pk])
_TURN_COUNTED_SCENARIO = CompiledUpdate(
    _turn_counted, fields=[PracticeSession._meta.pk, PracticeSession._meta.get_field("scenario")]
)


@transaction.atomic
def turn_submit(*, session: PracticeSession, content, client_id=None) -> TurnStart:
    """Store the learner's turn and a streaming placeholder for the reply, once per client_id, move
    the session's scenario on by the turn, and plan the reply (TurnStart.plan).

    A resend of a turn whose reply failed asks for the reply again without storing the turn twice.
    Raises InvalidContent, SessionClosed, TurnInProgress (a reply is still being written).
    """
    content = content_clean(content=content)
    client_id = client_id_clean(client_id=client_id)
    conversation = session_lock(session=session)
    streaming, existing = _turn_rows(conversation=conversation, sender=session.user, client_id=client_id)
    in_progress = reply_in_progress(conversation=conversation, streaming=streaming)
    if existing is not None:
        reply = _reply_to(existing)
        if reply is not None and reply.state != MessageState.FAILED:
            return TurnStart(user_message=existing, created=False, ai_message=reply, generate=False)
    if session.status != SessionStatus.IN_PROGRESS:
        raise SessionClosed()
    if in_progress:
        raise TurnInProgress()
    if existing is not None:
        placeholder = placeholder_append(conversation)
        return TurnStart(
            user_message=existing,
            created=False,
            ai_message=placeholder,
            generate=True,
            plan=_reply_plan(session, existing, placeholder),
        )
    user_message, ai_message = messages_append(
        conversation=conversation,
        messages=[
            {"sender": session.user, "role": MessageRole.USER, "content": content, "client_id": client_id},
            PLACEHOLDER,
        ],
    )
    lease_renew(message_id=ai_message.id)
    # The turn moves the scenario on here, so that it costs the session one UPDATE; the reply's
    # request then finds the partner's line worked out (scenario_turn is idempotent per turn).
    if scenario_turn(session=session, text=content, seq=user_message.seq, save=False) is not None:
        _TURN_COUNTED_SCENARIO.run(session.id, session.scenario)
    else:
        _TURN_COUNTED.run(session.id)
    session.user_turns += 1
    return TurnStart(
        user_message=user_message,
        created=True,
        ai_message=ai_message,
        generate=True,
        plan=_reply_plan(session, user_message, ai_message),
    )


def _reply_plan(session: PracticeSession, user_message: Message, reply: Message) -> ReplyPlan:
    # Worked out with the turn, under its lock: the socket's ack waits on one trip to the database
    # for both, and a turn is stored only with what its reply needs.
    window = turn_window(session=session, user_message=user_message, reply_seq=reply.seq)
    return reply_plan(session=session, user_message=user_message, window=window)


@transaction.atomic
def session_end(*, session: PracticeSession) -> PracticeSession:
    """Complete an in-progress session (ending twice is harmless). Raises SessionClosed when archived."""
    session = PracticeSession.objects.select_for_update().get(id=session.id)
    if session.status == SessionStatus.ARCHIVED:
        raise SessionClosed("This session is archived.")
    if session.status == SessionStatus.IN_PROGRESS:
        session.status = SessionStatus.COMPLETED
        session.ended_at = timezone.now()
        session.save(update_fields=["status", "ended_at"])
        transaction.on_commit(lambda: observe_session_end(session=session))
    return session


# What judges a session once it has ended (evaluations), registered at start-up by the app that owns it:
# `judge(session=)` returns (the evaluation's id or None, why there is none or "").
SessionJudge = Callable[..., tuple[str | None, str]]
_session_judge: SessionJudge | None = None


def session_judge_register(*, judge: SessionJudge) -> None:
    global _session_judge
    _session_judge = judge


@dataclass(frozen=True)
class SessionFinished:
    session: PracticeSession
    evaluation_id: str | None
    reason: str


def session_finish(*, session: PracticeSession) -> SessionFinished:
    """End the session (session_end), then have it judged: the REST end and the end page both do this.

    The judge never raises for AI errors: a failed evaluation stays retryable and `reason` says why.
    """
    session = session_end(session=session)
    evaluation_id, reason = _session_judge(session=session) if _session_judge else (None, "")
    return SessionFinished(session=session, evaluation_id=evaluation_id, reason=reason)


@transaction.atomic
def session_archive(*, session: PracticeSession) -> PracticeSession:
    """Archive a session: it leaves the default lists but stays readable by its owner."""
    session = PracticeSession.objects.select_for_update().get(id=session.id)
    if session.status != SessionStatus.ARCHIVED:
        session.status = SessionStatus.ARCHIVED
        session.ended_at = session.ended_at or timezone.now()
        session.save(update_fields=["status", "ended_at"])
    return session


@transaction.atomic
def session_update_settings(
    *, session: PracticeSession, persona: str | None = None, strictness: str | None = None
) -> PracticeSession:
    """Change the partner's persona or strictness; the next turn's prompt uses them (None keeps a value).

    Raises ParleyError on a blank or over-long persona or an unknown strictness, SessionClosed when the
    session is no longer in progress.
    """
    fields = {}
    if persona is not None:
        persona = persona.strip()
        if not persona or len(persona) > 200:
            fields["persona"] = ["A persona is 1 to 200 characters."]
    if strictness is not None and strictness not in Strictness.values:
        fields["strictness"] = [f"Must be one of {', '.join(Strictness.values)}."]
    if fields:
        raise ParleyError(next(iter(fields.values()))[0], fields=fields)
    session = PracticeSession.objects.select_for_update().get(id=session.id)
    if session.status != SessionStatus.IN_PROGRESS:
        raise SessionClosed()
    changes = {"persona": persona, "strictness": strictness}
    changed = [field for field, value in changes.items() if value is not None and value != getattr(session, field)]
    for field in changed:
        setattr(session, field, changes[field])
    if changed:
        session.save(update_fields=changed)
    return session
