"""Follow-up work after a reply: mistakes in the learner's turn, vocabulary in the reply, the summary.

It runs after `ai.message` went out, so it never delays the frame the learner is waiting for, and
a failure here costs only the side panel, never the turn.
"""

import logging
from collections.abc import Callable

import ai
from config.db import database_async
from conversations.events import user_send_best_effort
from conversations.models import Message, PracticeSession
from conversations.scenarios.sessions import scenario_goals_open, scenario_goals_reached
from conversations.services import context
from conversations.services.serializers import mistake_payload, vocabulary_payload
from partner.analysis import TurnAnalysis, turn_analysis

logger = logging.getLogger("parley.sessions")

# Where a turn's findings are kept, registered at start-up by the apps that own them:
# "mistakes": `store(session=, message=, findings=, source=)` (evaluations: the learner's turn),
# "vocabulary": `store(session=, message=, tags=)` (vocabulary: the partner's reply). Each runs on a
# database thread and returns the rows it kept, which the frames show; without one nothing is kept.
# `read(message=)`, when given, returns what the store kept for a message.
_finding_stores: dict[str, Callable[..., list]] = {}
_finding_readers: dict[str, Callable[..., list]] = {}


def finding_store_register(*, kind: str, store: Callable[..., list], read: Callable[..., list] | None = None) -> None:
    _finding_stores[kind] = store
    if read is not None:
        _finding_readers[kind] = read


def findings_kept(*, kind: str, message: Message) -> list:
    """What the `kind` store kept for `message` (a turn's mistakes, when its reply is written again)."""
    read = _finding_readers.get(kind)
    return read(message=message) if read else []


@database_async
def _findings_store(
    session: PracticeSession,
    user_message: Message,
    ai_message: Message,
    analysis: TurnAnalysis | None,
    tags: list,
    audit: list[ai.AuditRow],
) -> tuple[list, list]:
    """Keep what the turn's analysis found, in one trip to a database thread: the audit rows of the
    calls that found it, the scenario goals the turn reached, its mistakes and the reply's words.
    Returns the mistakes and the words the stores kept."""
    ai.audit_rows_save(audit)
    mistakes = []
    if analysis is not None:
        if analysis.goals_reached:
            scenario_goals_reached(session=session, goal_ids=analysis.goals_reached)
        store = _finding_stores.get("mistakes")
        if store:
            source = "offline" if ai_message.meta.get("offline") else "llm"
            mistakes = store(session=session, message=user_message, findings=analysis.findings, source=source)
    store = _finding_stores.get("vocabulary")
    words = store(session=session, message=ai_message, tags=tags) if store and tags else []
    return mistakes, words


@database_async
def _plan_parts(session: PracticeSession) -> tuple[list[dict], list[ai.VocabHint]]:
    """What a turn's plan gives its analysis, for a turn analysed without one."""
    return scenario_goals_open(session=session), context.vocab_hints_for(session=session)


async def turn_analyse(
    *,
    session: PracticeSession,
    user_message: Message,
    ai_message: Message,
    find_mistakes: bool = True,
    window: list[dict] | None = None,
    plan: context.ReplyPlan | None = None,
):
    """Store and push the turn's mistakes and the reply's vocabulary; refresh the summary when due.

    Both frames reach the user's tabs in one channel-layer message. A regenerated reply answers a
    turn analysed already: `find_mistakes=False` keeps its findings. `window`: the context window
    as the reply just cached it, if the caller has it; `plan`: the reply's (context.reply_plan), whose
    scenario goals still open and vocabulary hints the analysis uses (without one it reads them).
    """
    if plan is not None:
        goals_open, hints = plan.goals_open, plan.request.vocab_hints
    else:
        goals_open, hints = await _plan_parts(session)
    # The calls' audit rows are written with what they found, in the one database call keeping it.
    audit: list[ai.AuditRow] = []
    analysis = None
    if find_mistakes:
        try:
            analysis = await turn_analysis(
                user=session.user,
                conversation=session.conversation,
                text=user_message.content,
                language=session.language,
                level=session.level,
                strictness=session.strictness,
                goals=goals_open,
                audit=audit,
            )
        except ai.AIUnavailable as exc:
            logger.warning("turn analysis skipped for session %s: %s", session.id, exc.code)
    tags = []
    try:
        tags = await ai.tag_vocabulary(
            user=session.user,
            conversation=session.conversation,
            text=ai_message.content,
            language=session.language,
            level=session.level,
            hints=hints,
            audit=audit,
        )
    except ai.AIUnavailable as exc:
        logger.warning("vocabulary tagging skipped for session %s: %s", session.id, exc.code)
    kept_mistakes, kept_words = (
        await _findings_store(session, user_message, ai_message, analysis, tags, audit)
        if analysis is not None or tags or audit
        else ([], [])
    )
    mistakes = [mistake_payload(m) for m in kept_mistakes]
    vocabulary = [vocabulary_payload(v) for v in kept_words]
    frames = []
    if analysis is not None:
        frames.append(
            {"type": "mistakes", "session_id": str(session.id), "message_id": str(user_message.id), "items": mistakes}
        )
    if vocabulary:
        frames.append({"type": "vocabulary", "session_id": str(session.id), "items": vocabulary})
    if frames:
        await user_send_best_effort(session.user_id, *frames)
    await summary_refresh(session=session, window=window)
    return mistakes, vocabulary


@database_async
def _summary_due(session: PracticeSession) -> list[dict]:
    return context.summary_due(session=session)


@database_async
def _summary_save(session: PracticeSession, summary: str, up_to_seq: int, audit: list[ai.AuditRow]) -> None:
    ai.audit_rows_save(audit)
    PracticeSession.objects.filter(id=session.id, summary_up_to_seq__lt=up_to_seq).update(
        summary=summary, summary_up_to_seq=up_to_seq
    )
    session.summary, session.summary_up_to_seq = summary, up_to_seq
    context.context_trim(session=session, up_to_seq=up_to_seq)


async def summary_refresh(*, session: PracticeSession, window: list[dict] | None = None) -> None:
    """Fold the turns older than the recent window into the running summary, every few turns.

    `window`: the context window's turns, when the caller has just cached them: what is due is then
    found without a trip to a worker thread."""
    older = context.summary_due_in(window) if window is not None else await _summary_due(session)
    if not older:
        return
    audit: list[ai.AuditRow] = []
    try:
        summary = await ai.summarise(
            user=session.user,
            conversation=session.conversation,
            turns=[ai.Turn(role=t["role"], content=t["content"]) for t in older],
            language=session.language,
            previous_summary=session.summary,
            audit=audit,
        )
    except ai.AIUnavailable as exc:
        # The window simply stays longer until the next attempt; the prompt is still correct.
        logger.warning("summary refresh skipped for session %s: %s", session.id, exc.code)
        return
    await _summary_save(session, summary, older[-1]["seq"], audit)
