"""Reads of evaluations: only the owner's exist."""

from django.core.exceptions import ValidationError as DjangoValidationError

from evaluations.exceptions import EvaluationNotFound
from evaluations.models import Evaluation


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
