"""Evaluating a completed session through the gateway, and what follows from it."""

import json
import logging
import re
from collections.abc import Callable

from django.db import transaction

import ai
from accounts.models import ActivationState, User
from conversations.models import Message, MessageRole, PracticeSession, SessionStatus
from conversations.selectors import session_goals
from evaluations.exceptions import EvaluationNotAllowed
from evaluations.language_rubric import language_evidence, language_figures
from evaluations.models import Evaluation, EvaluationStatus, Mistake, MistakeType, Rubric, Severity
from evaluations.offline import professional_evidence
from evaluations.schemas import (
    EvaluationOut,
    EvaluationRequest,
    EvaluationTurn,
    GoalNote,
    LanguageEvaluationOut,
    MistakeNote,
    TargetNote,
)
from evaluations.scoring import UNIVERSAL, context_dimensions, level_cap_for_mistakes, level_value, overall_from_levels
from evaluations.signals import evaluation_stored, mistakes_recorded, targets_checked

logger = logging.getLogger("parley.evaluations")

MIN_USER_TURNS = 3
# The most mistakes kept for one turn.
MAX_FINDINGS = 3
MAX_TRANSCRIPT_TURNS = 60
TOO_FEW_TURNS = "too_few_turns"
# Hard caps of the professional rubric: a session without a real answer, and one left after one or two.
NO_ANSWERS_CAP = 20
ABANDONED_CAP = 50
ANSWER_MIN_WORDS = 3
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Words of interview coaching that have no place in a language learner's advice.
INTERVIEW_WORDS = re.compile(
    r"(?i)\bSTAR\b|\binterview|\bsituation, task|\bstakeholder|\bpitch\b|\bclarity\b|\brelevance\b|"
    r"\bconfidence\b|\bfiller words?\b|\bhedges?\b"
)


# The learner's standing training focus, for sessions whose context names none: registered at start-up
# by the app that keeps the profile (coaching), which sits above evaluations.
_focus_source: Callable[..., str] | None = None


def focus_source_register(source: Callable[..., str]) -> None:
    """Let `source(user=)` give the training focus an evaluation looks for when the session names none."""
    global _focus_source
    _focus_source = source


def _standing_focus(*, user) -> str:
    return _focus_source(user=user) if _focus_source is not None else ""


def mistakes_record(*, session: PracticeSession, message: Message, findings: list[dict], source: str) -> list[Mistake]:
    """Keep a turn's findings as mistakes (at most MAX_FINDINGS, unknown kinds as `other`) in one INSERT,
    then send mistakes_recorded; a clean turn writes nothing."""
    mistakes = Mistake.objects.bulk_create(
        [
            Mistake(
                message=message,
                session=session,
                type=f["type"] if f.get("type") in MistakeType.values else MistakeType.OTHER,
                severity=f["severity"] if f.get("severity") in Severity.values else Severity.MEDIUM,
                original=str(f.get("original", ""))[:500],
                correction=str(f.get("correction", ""))[:2000],
                explanation=str(f.get("explanation", ""))[:1000],
                rule=str(f.get("rule", ""))[:60],
                source=source,
            )
            for f in findings[:MAX_FINDINGS]
        ]
    )
    if mistakes:
        mistakes_recorded.send(sender=Mistake, user=session.user, mistakes=mistakes)
    return mistakes


def mistakes_forget(*, message_id, **kwargs) -> None:
    """Drop the findings on a turn the learner replaced (conversations' turn_replaced); the new turn gets its own."""
    Mistake.objects.filter(message_id=message_id).delete()


def rubric_for(*, mode: str) -> str:
    """Language sessions are judged as language; interviews, pitches, meetings and the rest as professional."""
    return Rubric.LANGUAGE if mode == "language" else Rubric.PROFESSIONAL


def _goals(session: PracticeSession) -> list[GoalNote]:
    """The scenario's goals and whether the learner reached them, as the scenario engine tracked them."""
    return [GoalNote(text=str(g["text"]), reached=bool(g["reached"])) for g in session_goals(session=session)]


def _targets(session: PracticeSession) -> list[TargetNote]:
    hints = session.template.vocab_hints if session.template else []
    targets = [TargetNote(text=str(h.get("phrase", "")), translation=str(h.get("translation", ""))) for h in hints]
    targets += [
        TargetNote(text=str(t.get("text", "")), translation=str(t.get("hint", "")))
        for t in session.targets
        if t.get("kind") == "vocabulary"
    ]
    return [t for t in targets if t.text.strip()]


def evaluation_request_build(*, session: PracticeSession) -> EvaluationRequest:
    """The transcript, the session's context and its mistakes, as the gateway's typed request."""
    messages = session.conversation.messages.filter(
        role__in=[MessageRole.USER, MessageRole.ASSISTANT], state="complete"
    ).order_by("-seq")[:MAX_TRANSCRIPT_TURNS]
    transcript = [EvaluationTurn(role=m.role, content=m.content) for m in reversed(list(messages))]
    mistakes = Mistake.objects.filter(session=session).select_related("message")
    context = session.context or {}
    focus = context.get("focus_title", "")
    if not focus:
        focus = _standing_focus(user=session.user)
    rubric = rubric_for(mode=session.mode)
    return EvaluationRequest(
        rubric=rubric,
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
            MistakeNote(
                type=m.type,
                severity=m.severity,
                original=m.original,
                correction=m.correction,
                explanation=m.explanation,
                sentence=m.message.content,
            )
            for m in mistakes
        ],
        targets=_targets(session) if rubric == Rubric.LANGUAGE else [],
        goals=_goals(session) if rubric == Rubric.LANGUAGE else [],
        topic=session.template.topic if session.template else "",
    )


def language_evaluation_messages(request: EvaluationRequest) -> list[dict]:
    """The language rubric's prompt for real providers: what a teacher scores, with quotes as evidence."""
    dimensions = "accuracy, range, fluency, task_completion" + (", register" if request.language == "japanese" else "")
    rubric = (
        f"You are a {request.language} teacher reviewing a {request.level} learner's practice conversation. "
        "The learner is 'user'. Rate each dimension with one level: needs_work, developing, solid or strong. "
        "accuracy: mistakes per turn weighted by severity (the mistakes found are listed); range: distinct content "
        "words and the scenario's target words used; fluency: turn length and complete sentences for the level; "
        "task_completion: the scenario's goals reached; register (Japanese only): consistent です/ます or plain forms. "
        "For each dimension quote one or two of the learner's own sentences exactly as evidence. Advice is about "
        "language only (words, grammar, forms, sentences), never about job interviews or answer structure. "
        'Answer only JSON: {"scores": {' + dimensions + '}, "evidence": {dimension: [quotes]}, '
        '"improvement_areas": [at most 3], "practice_suggestions": [one per area], "strengths": [...], '
        '"overall_score": 0-100}.'
    )
    setting = {
        "language": request.language,
        "level": request.level,
        "scenario_goals": [g.model_dump() for g in request.goals],
        "target_words": [t.text for t in request.targets],
        "mistakes_found": [m.model_dump(exclude={"sentence"}) for m in request.mistakes],
    }
    transcript = "\n".join(f"{t.role}: {t.content}" for t in request.transcript)
    return [
        {"role": "system", "content": rubric},
        {
            "role": "user",
            "content": f"Session:\n{json.dumps(setting, ensure_ascii=False)}\n\nTranscript:\n{transcript}",
        },
    ]


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


def _answers(request: EvaluationRequest) -> list[str]:
    return [t.content for t in request.transcript if t.role == "user" and t.content.strip()]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _evidence_checked(claimed: dict[str, list[str]], fallback: dict[str, list[str]], request: EvaluationRequest,
                      dimensions) -> dict[str, list[str]]:  # fmt: skip
    """Per dimension, quotes that really are the learner's words; the rules' quotes where none are."""
    said = [_flat(a) for a in _answers(request)]
    checked = {}
    for dim in dimensions:
        quotes = [_flat(q).rstrip("…") for q in claimed.get(dim, []) if isinstance(q, str) and q.strip()]
        real = [q for q in quotes if any(q in s for s in said)][:2]
        if quotes := real or fallback.get(dim, []):
            checked[dim] = quotes
    return checked


def substantive_answers(request: EvaluationRequest) -> int:
    """The learner's turns that answer something: three words or more (six characters of Japanese)."""
    minimum = ANSWER_MIN_WORDS
    return sum(1 for a in _answers(request) if len(a.split()) >= minimum or len(_CJK.findall(a)) >= 2 * minimum)


def _cap(request: EvaluationRequest) -> dict | None:
    answers = substantive_answers(request)
    if answers == 0:
        return {"limit": NO_ANSWERS_CAP, "reason": "no_answers"}
    if answers < MIN_USER_TURNS:
        return {"limit": ABANDONED_CAP, "reason": "abandoned_early", "answers": answers}
    return None


def _settled(out: EvaluationOut, request: EvaluationRequest, user_turns: int) -> dict:
    """The model's answer made consistent: mistakes cap language_quality, the overall fits the levels,
    every score cites the learner's words, and the hard caps hold."""
    universal = out.universal_scores.model_dump()
    cap = level_cap_for_mistakes(mistakes=len(request.mistakes), user_turns=user_turns)
    if level_value(universal["language_quality"]) > level_value(cap):
        universal["language_quality"] = cap
    proposed = None if out.overall_score is None else int(round(out.overall_score))
    context_scores = {d: out.context_scores[d] for d in request.context_dimensions if d in out.context_scores}
    overall = overall_from_levels(levels=[universal[d] for d in UNIVERSAL], proposed=proposed)
    details = {}
    if hard_cap := _cap(request):
        overall = min(overall, hard_cap["limit"])
        details["cap"] = hard_cap
    return {
        "rubric": Rubric.PROFESSIONAL,
        "universal_scores": universal,
        "context_scores": context_scores,
        "evidence": _evidence_checked(
            out.evidence, professional_evidence(request), request, [*UNIVERSAL, *context_scores]
        ),
        "details": details,
        "improvement_areas": out.improvement_areas[:3],
        "practice_suggestions": out.practice_suggestions,
        "strengths": out.strengths,
        "overall_score": overall,
        "offline": out.rater == "offline-rules",
    }


def _language_only(items: list[str]) -> list[str]:
    return [item for item in items if not INTERVIEW_WORDS.search(item)]


def _language_settled(out: LanguageEvaluationOut, request: EvaluationRequest, user_turns: int) -> dict:
    """The language rubric's answer made consistent: the mistakes cap accuracy, the goals decide task
    completion, quotes are the learner's words, and the advice is about language."""
    scores = {dim: level for dim, level in out.scores.model_dump(by_alias=True).items() if level}
    if request.language != "japanese":
        scores.pop("register", None)
    cap = level_cap_for_mistakes(mistakes=len(request.mistakes), user_turns=user_turns)
    if level_value(scores["accuracy"]) > level_value(cap):
        scores["accuracy"] = cap
    if request.goals and out.rater != "offline-rules":
        share = sum(g.reached for g in request.goals) / len(request.goals)
        scores["task_completion"] = ("needs_work", "developing", "solid", "strong")[min(int(share * 4), 3)]
    if out.rater == "offline-rules" and out.overall_score is not None:
        overall = round(out.overall_score)
    else:
        proposed = None if out.overall_score is None else int(round(out.overall_score))
        overall = overall_from_levels(levels=list(scores.values()), proposed=proposed)
    areas = _language_only(out.improvement_areas)[:3]
    return {
        "rubric": Rubric.LANGUAGE,
        "universal_scores": scores,
        "context_scores": {},
        "evidence": _evidence_checked(out.evidence, language_evidence(request), request, list(scores)),
        "details": {**language_figures(request), "points": out.points},
        "improvement_areas": areas,
        "practice_suggestions": _language_only(out.practice_suggestions)[: max(len(areas), 1)],
        "strengths": _language_only(out.strengths),
        "overall_score": overall,
        "offline": out.rater == "offline-rules",
    }


def _evaluation_write(*, session: PracticeSession, defaults: dict) -> tuple[Evaluation, bool]:
    """Lock the session and write its evaluation, counting the attempt: (the evaluation, whether written).

    An OK evaluation is never overwritten: a concurrent request evaluated the session first, and its
    result stays. Call inside a transaction.
    """
    locked = PracticeSession.objects.select_for_update().get(id=session.id)
    evaluation = Evaluation.objects.filter(session=locked).first()
    if evaluation is not None and evaluation.status == EvaluationStatus.OK:
        return evaluation, False
    evaluation, _ = Evaluation.objects.update_or_create(
        session=locked,
        defaults={
            **defaults,
            "user": locked.user,
            "preparation_type": locked.preparation_type,
            "attempts": evaluation.attempts + 1 if evaluation else 1,
        },
    )
    return evaluation, True


@transaction.atomic
def _store_success(*, session: PracticeSession, fields: dict) -> Evaluation:
    evaluation, written = _evaluation_write(
        session=session, defaults={**fields, "status": EvaluationStatus.OK, "error_code": ""}
    )
    if written:
        User.objects.filter(id=evaluation.user_id, activation_state=ActivationState.NEW).update(
            activation_state=ActivationState.ACTIVATED
        )
        evaluation_stored.send(sender=Evaluation, user_id=evaluation.user_id, evaluation=evaluation)
    return evaluation


@transaction.atomic
def _store_failure(*, session: PracticeSession, error: ai.AIUnavailable) -> Evaluation:
    defaults = {"rubric": rubric_for(mode=session.mode), "status": EvaluationStatus.FAILED, "error_code": error.code}
    return _evaluation_write(session=session, defaults=defaults)[0]


def session_judge(*, session: PracticeSession) -> tuple[str | None, str]:
    """A session's end, as conversations' session_finish asks for it: (the evaluation's id, "") or (None, reason)."""
    evaluation, reason = evaluation_create_for_session(session=session)
    if reason:
        return None, reason
    return str(evaluation.id), ""


def evaluation_create_for_session(*, session: PracticeSession) -> tuple[Evaluation | None, str | None]:
    """Evaluate a completed session: (evaluation, None), or (None | failed evaluation, reason).

    Under MIN_USER_TURNS learner turns nothing is created (reason `too_few_turns`), but a focused
    session's targets are still checked, so a short review session counts as review. When the AI is
    down or answers malformed twice, a failed, retryable evaluation is stored and the reason is
    the gateway's error code. An evaluated session is never evaluated again. Never raises for AI errors.
    """
    existing = Evaluation.objects.filter(session=session).first()
    if existing is not None and existing.status == EvaluationStatus.OK:
        return existing, None
    if session.user_turns < MIN_USER_TURNS:
        if session.targets and session.status != SessionStatus.IN_PROGRESS:
            _targets_announce(
                session, targets_practised(session=session, request=evaluation_request_build(session=session))
            )
        return None, TOO_FEW_TURNS
    request = evaluation_request_build(session=session)
    language = request.rubric == Rubric.LANGUAGE
    try:
        out = ai.structured_sync(
            user=session.user,
            conversation=session.conversation,
            purpose="language_evaluation" if language else "evaluation",
            schema=LanguageEvaluationOut if language else EvaluationOut,
            messages=language_evaluation_messages(request) if language else evaluation_messages(request),
            request=request,
        )
    except ai.AIUnavailable as exc:
        logger.warning("evaluation of session %s failed: %s", session.id, exc.code)
        return _store_failure(session=session, error=exc), exc.code
    settle = _language_settled if language else _settled
    fields = settle(out, request, session.user_turns)
    if session.targets:
        fields["details"]["targets_practised"] = targets_practised(session=session, request=request)
    evaluation = _store_success(session=session, fields=fields)
    if session.targets:
        _targets_announce(session, evaluation.details.get("targets_practised", []))
    return evaluation, None


def _targets_announce(session: PracticeSession, practised: list[dict]) -> None:
    transaction.on_commit(lambda: targets_checked.send(sender=PracticeSession, session=session, practised=practised))


def targets_practised(*, session: PracticeSession, request: EvaluationRequest) -> list[dict]:
    """Which of a focused session's targets the learner used, and used in a turn without mistakes."""
    flawed = {_flat(m.sentence) for m in request.mistakes}
    answers = [_flat(a) for a in _answers(request)]
    practised = []
    for target in session.targets:
        if target.get("kind") == "structure":
            continue
        bare = _flat(str(target.get("text", ""))).replace("〜", "").strip()
        turns = [a for a in answers if bare and bare in a]
        practised.append(
            {
                **target,
                "used": bool(turns),
                "used_correctly": any(turn not in flawed for turn in turns),
                "sentence": next((t for t in turns if t not in flawed), turns[0] if turns else ""),
            }
        )
    return practised


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
