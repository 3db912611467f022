"""Evaluating a completed session through the gateway, and what follows from it."""

import json
import logging

from django.db import transaction

import ai
from accounts.models import ActivationState, User
from coaching.progress import plan_update, rollup_record
from coaching.selectors import profile_peek
from conversations.models import MessageRole, PracticeSession, SessionStatus
from evaluations.exceptions import EvaluationNotAllowed
from evaluations.models import Evaluation, EvaluationStatus, Mistake
from evaluations.schemas import EvaluationOut, EvaluationRequest, EvaluationTurn, MistakeNote
from evaluations.scoring import UNIVERSAL, context_dimensions, level_cap_for_mistakes, level_value, overall_from_levels

logger = logging.getLogger("parley.evaluations")

MIN_USER_TURNS = 3
MAX_TRANSCRIPT_TURNS = 60
TOO_FEW_TURNS = "too_few_turns"


def evaluation_request_build(*, session: PracticeSession) -> EvaluationRequest:
    """The transcript, the session's context and its mistakes, as the gateway's typed request."""
    messages = session.conversation.messages.filter(
        role__in=[MessageRole.USER, MessageRole.ASSISTANT], state="complete"
    ).order_by("-seq")[:MAX_TRANSCRIPT_TURNS]
    transcript = [EvaluationTurn(role=m.role, content=m.content) for m in reversed(list(messages))]
    mistakes = Mistake.objects.filter(session=session).only("type", "severity", "original", "correction")
    context = session.context or {}
    focus = context.get("focus_title", "")
    if not focus and (profile := profile_peek(user=session.user)):
        focus = profile.training_focus.get("title", "")
    return EvaluationRequest(
        mode=session.mode,
        language=session.language,
        level=session.level,
        preparation_type=session.preparation_type,
        meeting_subtype=session.meeting_subtype,
        agenda=str(context.get("agenda", "")),
        tone=str(context.get("tone", "")),
        focus=str(focus),
        context_dimensions=list(context_dimensions(preparation_type=session.preparation_type, mode=session.mode)),
        transcript=transcript,
        mistakes=[
            MistakeNote(type=m.type, severity=m.severity, original=m.original, correction=m.correction)
            for m in mistakes
        ],
    )


def evaluation_messages(request: EvaluationRequest) -> list[dict]:
    """The prompt for real providers: the rubric, the schema, then the transcript."""
    rubric = (
        "You evaluate a practice conversation. The learner is 'user'. Be specific and non-judgemental. "
        "Rate each dimension with one level: needs_work, developing, solid or strong. Answer only JSON: "
        '{"universal_scores": {"clarity_structure", "relevance_focus", "confidence_delivery", '
        '"language_quality", "tone_alignment"}, "context_scores": {'
        + ", ".join(f'"{d}"' for d in request.context_dimensions)
        + '}, "improvement_areas": [at most 3], "practice_suggestions": [one per area], "strengths": [...], '
        '"overall_score": 0-100}. language_quality must reflect the mistakes listed.'
    )
    setting = {
        "mode": request.mode,
        "language": request.language,
        "level": request.level,
        "preparation_type": request.preparation_type,
        "meeting_subtype": request.meeting_subtype,
        "agenda": request.agenda,
        "tone": request.tone,
        "training_focus": request.focus,
        "mistakes_found": [m.model_dump() for m in request.mistakes],
    }
    transcript = "\n".join(f"{t.role}: {t.content}" for t in request.transcript)
    return [
        {"role": "system", "content": rubric},
        {
            "role": "user",
            "content": f"Session:\n{json.dumps(setting, ensure_ascii=False)}\n\nTranscript:\n{transcript}",
        },
    ]


def _settled(out: EvaluationOut, request: EvaluationRequest, user_turns: int) -> dict:
    """The model's answer made consistent: mistakes cap language_quality, the overall fits the levels."""
    universal = out.universal_scores.model_dump()
    cap = level_cap_for_mistakes(mistakes=len(request.mistakes), user_turns=user_turns)
    if level_value(universal["language_quality"]) > level_value(cap):
        universal["language_quality"] = cap
    proposed = None if out.overall_score is None else int(round(out.overall_score))
    return {
        "universal_scores": universal,
        "context_scores": {d: out.context_scores[d] for d in request.context_dimensions if d in out.context_scores},
        "improvement_areas": out.improvement_areas[:3],
        "practice_suggestions": out.practice_suggestions,
        "strengths": out.strengths,
        "overall_score": overall_from_levels(levels=[universal[d] for d in UNIVERSAL], proposed=proposed),
        "offline": out.rater == "offline-rules",
    }


@transaction.atomic
def _store_success(*, session: PracticeSession, fields: dict) -> Evaluation:
    locked = PracticeSession.objects.select_for_update().get(id=session.id)
    evaluation = Evaluation.objects.filter(session=locked).first()
    if evaluation is not None and evaluation.status == EvaluationStatus.OK:
        # A concurrent request evaluated it first; keep the first result.
        return evaluation
    attempts = evaluation.attempts + 1 if evaluation else 1
    evaluation, _ = Evaluation.objects.update_or_create(
        session=locked,
        defaults={
            **fields,
            "user": locked.user,
            "preparation_type": locked.preparation_type,
            "status": EvaluationStatus.OK,
            "error_code": "",
            "attempts": attempts,
        },
    )
    User.objects.filter(id=locked.user_id, activation_state=ActivationState.NEW).update(
        activation_state=ActivationState.ACTIVATED
    )
    rollup_record(user_id=locked.user_id, evaluation=evaluation)
    plan_update(user_id=locked.user_id)
    return evaluation


@transaction.atomic
def _store_failure(*, session: PracticeSession, error: ai.AIUnavailable) -> Evaluation:
    locked = PracticeSession.objects.select_for_update().get(id=session.id)
    evaluation = Evaluation.objects.filter(session=locked).first()
    if evaluation is not None and evaluation.status == EvaluationStatus.OK:
        return evaluation
    attempts = evaluation.attempts + 1 if evaluation else 1
    evaluation, _ = Evaluation.objects.update_or_create(
        session=locked,
        defaults={
            "user": locked.user,
            "preparation_type": locked.preparation_type,
            "status": EvaluationStatus.FAILED,
            "error_code": error.code,
            "attempts": attempts,
        },
    )
    return evaluation


def evaluation_create_for_session(*, session: PracticeSession) -> tuple[Evaluation | None, str | None]:
    """Evaluate a completed session: (evaluation, None), or (None | failed evaluation, reason).

    Under MIN_USER_TURNS learner turns nothing is created (reason `too_few_turns`). When the AI is
    down or answers malformed twice, a failed, retryable evaluation is stored and the reason is
    the gateway's error code. An evaluated session is never evaluated again. Never raises for AI errors.
    """
    existing = Evaluation.objects.filter(session=session).first()
    if existing is not None and existing.status == EvaluationStatus.OK:
        return existing, None
    if session.user_turns < MIN_USER_TURNS:
        return None, TOO_FEW_TURNS
    request = evaluation_request_build(session=session)
    try:
        out = ai.structured_sync(
            user=session.user,
            conversation=session.conversation,
            purpose="evaluation",
            schema=EvaluationOut,
            messages=evaluation_messages(request),
            request=request,
        )
    except ai.AIUnavailable as exc:
        logger.warning("evaluation of session %s failed: %s", session.id, exc.code)
        return _store_failure(session=session, error=exc), exc.code
    evaluation = _store_success(session=session, fields=_settled(out, request, session.user_turns))
    return evaluation, None


def evaluation_retry(*, session: PracticeSession) -> Evaluation:
    """Evaluate a completed session again after a failure (an evaluated one is returned as it is).

    Raises EvaluationNotAllowed (409) for a session in progress or with too few turns, and the
    gateway's AIUnavailable (503) when the AI fails again; the failed evaluation stays retryable.
    """
    if session.status == SessionStatus.IN_PROGRESS:
        raise EvaluationNotAllowed("End the session before evaluating it.", code="session_in_progress")
    evaluation, reason = evaluation_create_for_session(session=session)
    if reason == TOO_FEW_TURNS:
        raise EvaluationNotAllowed(
            f"A session needs at least {MIN_USER_TURNS} answers to be evaluated.", code=TOO_FEW_TURNS
        )
    if reason is not None:
        raise ai.AIMalformedOutput() if reason == ai.AIMalformedOutput.code else ai.AIUnavailable()
    return evaluation
