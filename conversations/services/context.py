"""The prompt's context: persona, strictness, template scaffold, a running summary and the last turns.

The recent window lives in the cache keyed by session (rebuilt from the database on a miss, which
stays the truth); older turns are folded into the session's summary every SUMMARY_EVERY messages, so
the prompt stays bounded however long the session runs.
"""

from django.core.cache import cache

from ai import Persona, ReplyRequest, Turn, VocabHint
from ai.types import ScenarioBrief
from conversations.models import Message, MessageRole, MessageState, PracticeSession
from conversations.scenarios.sessions import scenario_brief, scenario_turn

RECENT_TURNS = 6
# Messages (two a turn) gathered beyond the recent window before they are folded into the summary:
# every fourth turn, so the summary's partner call and its rows come once per four turns.
SUMMARY_EVERY = 8
CACHE_TTL_SECONDS = 6 * 3600
_KEY = "session-context:{}"


def _turn(message: Message) -> dict:
    return {"seq": message.seq, "role": message.role, "content": message.content}


def context_rebuild(*, session: PracticeSession) -> list[dict]:
    """The turns not yet summarised, from the database, cached for the next turn."""
    messages = Message.objects.filter(
        conversation_id=session.conversation_id,
        seq__gt=session.summary_up_to_seq,
        state=MessageState.COMPLETE,
        role__in=[MessageRole.USER, MessageRole.ASSISTANT],
    ).order_by("seq")
    turns = [_turn(m) for m in messages]
    cache.set(_KEY.format(session.id), turns, CACHE_TTL_SECONDS)
    return turns


def context_trim(*, session: PracticeSession, up_to_seq: int) -> None:
    """Drop the turns just folded into the summary from the cached window (a miss stays a miss)."""
    turns = cache.get(_KEY.format(session.id))
    if turns is not None:
        cache.set(_KEY.format(session.id), [t for t in turns if t["seq"] > up_to_seq], CACHE_TTL_SECONDS)


def context_turns(*, session: PracticeSession) -> list[dict]:
    """The unsummarised turns, from the cache when it has them."""
    turns = cache.get(_KEY.format(session.id))
    return turns if turns is not None else context_rebuild(session=session)


def context_push(*, session: PracticeSession, message: Message) -> list[dict] | None:
    """Add a complete message to the cached window (a miss is rebuilt from the database later);
    the window as now cached, or None on a miss."""
    turns = cache.get(_KEY.format(session.id))
    if turns is None:
        return None
    if not turns or turns[-1]["seq"] < message.seq:
        turns.append(_turn(message))
    cache.set(_KEY.format(session.id), turns, CACHE_TTL_SECONDS)
    return turns


def persona_for(*, session: PracticeSession) -> Persona:
    """The template's persona, styled by the learner's choice."""
    base = dict(session.template.persona) if session.template else {}
    return Persona(
        name=str(base.get("name") or "Aki"),
        role=str(base.get("role") or ("interviewer" if session.mode == "interview" else "conversation partner")),
        style=session.persona or str(base.get("style") or "friendly"),
    )


def reply_request_build(
    *, session: PracticeSession, user_text: str, before_seq: int, turns: list[dict] | None = None
) -> ReplyRequest:
    """The typed request for the partner's reply to `user_text`, the learner's turn at `before_seq`;
    `turns`: the cached window when the caller has just read it (context_push)."""
    template = session.template
    if turns is None:
        turns = context_turns(session=session)
    turns = [t for t in turns if t["seq"] < before_seq]
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
        partner_turns=Message.objects.filter(
            conversation_id=session.conversation_id,
            role=MessageRole.ASSISTANT,
            state=MessageState.COMPLETE,
            seq__lt=before_seq,
        ).count(),
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
    """The template's vocabulary hints as the gateway takes them (none for a free-form session)."""
    hints = session.template.vocab_hints if session.template else []
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
    return summary_due_in(context_turns(session=session))
