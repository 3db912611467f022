"""Reads for coaching: the profile without creating it, improvements, trends, history."""

from datetime import date, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from coaching.models import ImprovementPlan, Profile, ProgressRollup
from coaching.progress import week_start_of
from conversations.models import Message, PracticeSession, SessionStatus
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.scoring import UNIVERSAL, level_value

VELOCITY_WINDOW = 10
ORDERINGS = {"date": "created_at", "score": "evaluation__overall_score", "type": "preparation_type"}


def profile_peek(*, user) -> Profile | None:
    """The user's profile when one exists (reads that must not create it)."""
    return Profile.objects.filter(user=user).first()


def progress_metrics(*, rollup: ProgressRollup | None, today: date | None = None) -> dict:
    """Sessions this week, average score and streak from the rollup, as of today."""
    today = today or timezone.localdate()
    if rollup is None:
        return {"evaluated_sessions": 0, "sessions_this_week": 0, "average_score": None, "streak_days": 0,
                "best_streak_days": 0}  # fmt: skip
    live_streak = rollup.last_practice_on in (today, today - timedelta(days=1))
    evaluated = rollup.evaluated_sessions
    return {
        "evaluated_sessions": rollup.evaluated_sessions,
        "sessions_this_week": rollup.sessions_this_week if rollup.week_start == week_start_of(today) else 0,
        "average_score": round(rollup.score_total / evaluated, 1) if evaluated else None,
        "streak_days": rollup.streak_days if live_streak else 0,
        "best_streak_days": rollup.best_streak_days,
    }


def improvements_get(*, user) -> dict:
    """The improvement plan as kept after the last evaluation (empty before the first)."""
    plan = ImprovementPlan.objects.filter(user=user).first()
    return {
        "focus_areas": plan.focus_areas if plan else [],
        "recommendations": plan.recommendations if plan else [],
        "recurring_weaknesses": plan.recurring_weaknesses if plan else [],
        "based_on_sessions": plan.based_on if plan else 0,
        "updated_at": plan.updated_at.isoformat() if plan else None,
    }


def velocity(scores: list[int]) -> float:
    """The least-squares slope of the scores, in points per session (0 for fewer than 2)."""
    n = len(scores)
    if n < 2:
        return 0.0
    mean_x, mean_y = (n - 1) / 2, sum(scores) / n
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(scores))
    denominator = sum((x - mean_x) ** 2 for x in range(n))
    return round(numerator / denominator, 3)


def trends_get(*, user, limit: int = 100, window: int = VELOCITY_WINDOW) -> dict:
    """Per-dimension series of the last `limit` evaluations (oldest first), velocity and weaknesses.

    Three queries whatever the history: evaluations, plan and rollup.
    """
    rows = list(
        Evaluation.objects.filter(user=user, status=EvaluationStatus.OK)
        .order_by("-created_at")
        .values_list("session_id", "created_at", "overall_score", "universal_scores", "preparation_type")[:limit]
    )
    rows.reverse()
    dimension_trends = {dim: [] for dim in UNIVERSAL}
    overall = []
    for session_id, created_at, score, universal, prep in rows:
        when = created_at.isoformat()
        overall.append({"date": when, "session_id": str(session_id), "score": score, "preparation_type": prep})
        for dim in UNIVERSAL:
            if level := universal.get(dim):
                dimension_trends[dim].append({"date": when, "level": level, "value": level_value(level)})
    plan = ImprovementPlan.objects.filter(user=user).only("recurring_weaknesses").first()
    scores = [point["score"] for point in overall if point["score"] is not None]
    return {
        "dimension_trends": dimension_trends,
        "overall": overall,
        "improvement_velocity": velocity(scores[-window:]),
        "velocity_window": min(window, len(scores)),
        "recurring_weaknesses": plan.recurring_weaknesses if plan else [],
        "metrics": progress_metrics(rollup=ProgressRollup.objects.filter(user=user).first()),
    }


def history_list(
    *,
    user,
    preparation_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    search: str = "",
    ordering: list[str] = ("-date",),
) -> QuerySet[PracticeSession]:
    """The user's completed sessions with their evaluations, filtered, searched and ordered."""
    sessions = PracticeSession.objects.filter(user=user, status=SessionStatus.COMPLETED).select_related(
        "conversation", "evaluation"
    )
    if preparation_type:
        sessions = sessions.filter(preparation_type=preparation_type)
    if date_from:
        sessions = sessions.filter(created_at__date__gte=date_from)
    if date_to:
        sessions = sessions.filter(created_at__date__lte=date_to)
    if min_score is not None:
        sessions = sessions.filter(evaluation__overall_score__gte=min_score)
    if max_score is not None:
        sessions = sessions.filter(evaluation__overall_score__lte=max_score)
    if search:
        in_transcript = Message.objects.filter(conversation_id=OuterRef("conversation_id"), content__icontains=search)
        sessions = sessions.filter(Q(conversation__title__icontains=search) | Exists(in_transcript))
    order = []
    for key in ordering:
        expression = F(ORDERINGS[key.lstrip("-")])
        order.append(expression.desc(nulls_last=True) if key.startswith("-") else expression.asc(nulls_last=True))
    return sessions.order_by(*order, "-created_at")
