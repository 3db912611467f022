"""Reads of evaluations: only the owner's exist."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, QuerySet

from evaluations.exceptions import EvaluationNotFound
from evaluations.models import Evaluation, EvaluationStatus, Mistake


def mistake_list(*, user, session_id=None, type: str | None = None) -> QuerySet[Mistake]:  # noqa: A002
    """The user's mistakes, oldest first, narrowed by session and type."""
    mistakes = Mistake.objects.filter(session__user=user)
    if session_id:
        mistakes = mistakes.filter(session_id=session_id)
    if type:
        mistakes = mistakes.filter(type=type)
    return mistakes


def turn_mistakes(*, message) -> list[Mistake]:
    """The mistakes found in one of the learner's turns."""
    return list(Mistake.objects.filter(message=message))


def evaluation_get(*, user, evaluation_id) -> Evaluation:
    """The user's evaluation; another user's or an unknown one raises EvaluationNotFound (404)."""
    try:
        return Evaluation.objects.get(id=evaluation_id, user=user)
    except (Evaluation.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise EvaluationNotFound() from exc


def evaluation_for_session(*, user, session_id) -> Evaluation:
    """The evaluation of the user's session; raises EvaluationNotFound when it has none."""
    try:
        return Evaluation.objects.get(session_id=session_id, session__user=user)
    except (Evaluation.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise EvaluationNotFound("This session has no evaluation.") from exc


def attempt_summary(*, session) -> dict:
    """One attempt at a scenario for the side-by-side view: score, mistakes by kind, goals, target words used."""
    evaluation = Evaluation.objects.filter(session=session, status=EvaluationStatus.OK).first()
    details = evaluation.details if evaluation else {}
    kinds = Mistake.objects.filter(session=session).values("type").annotate(n=Count("id")).order_by("-n", "type")
    goals = details.get("task_completion", {}).get("goals", [])
    targets = details.get("range", {}).get("targets", [])
    return {
        "session": session,
        "score": evaluation.overall_score if evaluation else None,
        "mistakes_by_kind": [(row["type"].replace("_", " "), row["n"]) for row in kinds],
        "mistakes": sum(row["n"] for row in kinds),
        "goals_reached": sum(1 for goal in goals if goal.get("reached")),
        "goals": len(goals),
        "targets_used": [t["text"] for t in targets if t.get("used")],
        "targets_used_text": ("、" if session.language == "japanese" else ", ").join(
            t["text"] for t in targets if t.get("used")
        ),
        "targets": len(targets),
    }
