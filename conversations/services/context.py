"""The prompt's context: persona, strictness, template scaffold, a running summary and the last turns.

The turns not yet summarised (the window) live in the cache keyed by session; the database stays the
truth. Older turns are folded into the session's summary every SUMMARY_EVERY messages, so the prompt
stays bounded however long the session runs.

A turn costs the cache one read and one write: the window is read when the reply's request is built,
and written with the turn and its reply once the reply is stored. The cached window says up to which
message it accounts for (`through`), and only the reply to a turn turn_submit has just stored trusts
it, when it ends right before that turn. Every other reply (to a resent turn, a reply written again,
an edited turn) reads the window from the database, and so does the turn after a reply that was not
stored (failed, stopped) or after writers raced: their window ends too early.
"""

import logging
from dataclasses import dataclass, field, replace
from operator import itemgetter

from django.core.cache import cache

from ai import Persona, ReplyRequest, Turn, VocabHint
from ai.types import ScenarioBrief
from conversations.models import Message, MessageRole, MessageState, PracticeSession
from conversations.scenarios.sessions import scenario_brief, scenario_goals_open, scenario_template, scenario_turn
from conversations.services.leases import CACHE_ERRORS

logger = logging.getLogger("parley.sessions")

RECENT_TURNS = 6
# Messages (two a turn) gathered beyond the recent window before they are folded into the summary:
# every fourth turn, so the summary's partner call and its rows come once per four turns.
SUMMARY_EVERY = 8
CACHE_TTL_SECONDS = 6 * 3600
_KEY = "session-window:{}"


def _partner(turns: list[dict]) -> int:
    return sum(1 for turn in turns if turn["role"] == MessageRole.ASSISTANT)


@dataclass(frozen=True)
class Window:
    """A session's turns after its summary: every complete message of the learner and the partner
    after `after_seq` (where the summary ends) up to `through`, as {seq, role, content} in order,
    and how many of the partner's the summary holds (`partner_before`)."""

    after_seq: int
    through: int
    partner_before: int = 0
    turns: list[dict] = field(default_factory=list)

    def partner_turns(self, *, before_seq: int) -> int:
        """How often the partner has spoken in the whole session before `before_seq`."""
        return self.partner_before + _partner([t for t in self.turns if t["seq"] < before_seq])

    def cut(self, after_seq: int) -> "Window":
        """The window once the summary holds every turn up to `after_seq`."""
        if after_seq <= self.after_seq:
            return self
        folded = [t for t in self.turns if t["seq"] <= after_seq]
        return replace(
            self,
            after_seq=after_seq,
            partner_before=self.partner_before + _partner(folded),
            turns=self.turns[len(folded) :],
        )


def _turn(message: Message) -> dict:
    return {"seq": message.seq, "role": message.role, "content": message.content}


def _cached(session: PracticeSession) -> Window | None:
    """The cached window cut where the session's summary ends; None on a miss, when the cache is
    unreachable, or when the window does not reach the summary's end or was cut by a summary this
    copy of the session has not seen."""
    try:
        value = cache.get(_KEY.format(session.id))
    except CACHE_ERRORS as exc:
        logger.warning("could not read the context window of session %s: %s", session.id, exc)
        return None
    if value is None:
        return None
    window = Window(**value)
    if not window.after_seq <= session.summary_up_to_seq <= window.through:
        return None
    return window.cut(session.summary_up_to_seq)


def _cache(session: PracticeSession, window: Window) -> None:
    try:
        cache.set(_KEY.format(session.id), vars(window), CACHE_TTL_SECONDS)
    except CACHE_ERRORS as exc:
        logger.warning("could not cache the context window of session %s: %s", session.id, exc)


def context_rebuild(*, session: PracticeSession, through: int | None = None) -> Window:
    """The window from the database. `through`: the last message it accounts for, when the caller
    knows every message up to it is settled (the reply being written comes right after it)."""
    after = session.summary_up_to_seq
    complete = Message.objects.filter(
        conversation_id=session.conversation_id,
        state=MessageState.COMPLETE,
        role__in=[MessageRole.USER, MessageRole.ASSISTANT],
    )
    rows = complete.filter(seq__gt=after).order_by("seq").values_list("seq", "role", "content")
    turns = [{"seq": seq, "role": role, "content": content} for seq, role, content in rows]
    if through is None:
        through = turns[-1]["seq"] if turns else after
    partner_before = complete.filter(seq__lte=after, role=MessageRole.ASSISTANT).count() if after else 0
    return Window(after_seq=after, through=through, partner_before=partner_before, turns=turns)


def turn_window(*, session: PracticeSession, user_message: Message, reply_seq: int) -> Window:
    """The window for the reply at `reply_seq` to a turn turn_submit has just stored: the cached one
    when it ends right before the turn and the reply comes right after it, else the database's."""
    if reply_seq == user_message.seq + 1:
        window = _cached(session)
        if window is not None and window.through == user_message.seq - 1:
            return window
    return context_rebuild(session=session, through=reply_seq - 1)


def window_store(*, session: PracticeSession, window: Window, messages: list[Message]) -> Window:
    """Cache the window with `messages`, just stored complete (a turn and its reply, a session's
    opening line); the window as cached."""
    added = [_turn(message) for message in messages]
    seqs = {turn["seq"] for turn in added}
    window = replace(
        window,
        through=max([window.through, *seqs]),
        turns=sorted([*(t for t in window.turns if t["seq"] not in seqs), *added], key=itemgetter("seq")),
    )
    _cache(session, window)
    return window


def context_trim(*, session: PracticeSession, up_to_seq: int) -> None:
    """Drop the turns just folded into the summary from the cached window (a miss stays a miss)."""
    window = _cached(session)
    if window is not None:
        _cache(session, window.cut(up_to_seq))


def _window(session: PracticeSession) -> Window:
    return _cached(session) or context_rebuild(session=session)


@dataclass(frozen=True)
class ReplyPlan:
    """What a reply is written from: the partner's request, and the window it was built on (cached
    again with the turn and the reply once the reply is stored, window_store), and the scenario's
    goals still open after the turn, for the turn's analysis (no trip of its own to read them)."""

    request: ReplyRequest
    window: Window
    goals_open: list[dict]


def reply_plan(*, session: PracticeSession, user_message: Message, window: Window) -> ReplyPlan:
    request = reply_request_build(
        session=session, user_text=user_message.content, before_seq=user_message.seq, window=window
    )
    return ReplyPlan(request=request, window=window, goals_open=scenario_goals_open(session=session))


def persona_for(*, session: PracticeSession) -> Persona:
    """The template's persona, styled by the learner's choice."""
    base = dict(session.template.persona) if session.template else {}
    return Persona(
        name=str(base.get("name") or "Aki"),
        role=str(base.get("role") or ("interviewer" if session.mode == "interview" else "conversation partner")),
        style=session.persona or str(base.get("style") or "friendly"),
    )


def reply_request_build(
    *, session: PracticeSession, user_text: str, before_seq: int, window: Window | None = None
) -> ReplyRequest:
    """The typed request for the partner's reply to `user_text`, the learner's turn at `before_seq`;
    `window`: the context window the caller has read for this reply (turn_window, context_rebuild)."""
    template = session.template
    if window is None:
        window = _window(session)
    turns = [t for t in window.turns if t["seq"] < before_seq]
    system_prompt = template.system_prompt if template else ""
    details = {"preparation_type": session.preparation_type, "meeting_subtype": session.meeting_subtype}
    details.update(session.context or {})
    if lines := [f"{key}: {value}" for key, value in details.items() if value]:
        system_prompt = "\n".join([system_prompt, "Session context:", *lines]).strip()
    return ReplyRequest(
        language=session.language,
        level=session.level,
        mode=session.mode,
        persona=persona_for(session=session),
        strictness=session.strictness,
        system_prompt=system_prompt,
        starter_turns=[
            t["text"] for t in (template.starter_turns if template else []) if t.get("speaker") == "partner"
        ],
        vocab_hints=vocab_hints_for(session=session),
        summary=session.summary,
        recent_turns=[Turn(role=t["role"], content=t["content"]) for t in turns[-RECENT_TURNS:]],
        user_text=user_text,
        scenario=_scenario_brief(session=session, user_text=user_text, seq=before_seq),
        partner_turns=window.partner_turns(before_seq=before_seq),
        preparation_type=str(details.get("preparation_type") or "").strip(),
        meeting_subtype=str(details.get("meeting_subtype") or "").strip(),
        story_titles=[t.strip() for t in str(details.get("story_titles") or "").split(" | ") if t.strip()],
        focus=str(details.get("focus_title") or "").strip(),
    )


def _scenario_brief(*, session: PracticeSession, user_text: str, seq: int) -> ScenarioBrief | None:
    # The script judges the turn whichever provider answers: the offline partner says its line, an
    # LLM is told where the scenario is (and its own analysis may tick more goals afterwards).
    turn = scenario_turn(session=session, text=user_text, seq=seq)
    return scenario_brief(scenario=turn[0], reply=turn[1]) if turn else None


def vocab_hints_for(*, session: PracticeSession) -> list[VocabHint]:
    """The vocabulary hints of the session's template, or of the script a free-form session follows
    (its language's small talk), as the gateway takes them."""
    template = session.template or scenario_template(session=session)
    hints = template.vocab_hints if template else []
    return [
        VocabHint(**{key: str(hint.get(key) or "") for key in ("phrase", "reading", "translation")}) for hint in hints
    ]


def summary_due_in(turns: list[dict]) -> list[dict]:
    """The turns of this window to fold into the summary now, or [] when it is still short enough."""
    if len(turns) < RECENT_TURNS + SUMMARY_EVERY:
        return []
    return turns[:-RECENT_TURNS]


def summary_due(*, session: PracticeSession) -> list[dict]:
    """The turns to fold into the summary now, or [] when the window is still short enough."""
    return summary_due_in(_window(session).turns)
