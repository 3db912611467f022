"""What follows an evaluation in coaching: the improvement plan and the progress rollup."""

from collections import Counter
from datetime import date, timedelta

from django.utils import timezone

from coaching.models import ImprovementPlan, ProgressRollup
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.scoring import DIMENSION_ADVICE, UNIVERSAL, WEAK, level_value

PLAN_WINDOW = 10


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rollup_record(*, user_id, evaluation: Evaluation) -> ProgressRollup:
    """Count one more evaluated session in the user's rollup; call inside the evaluation's transaction."""
    rollup, _ = ProgressRollup.objects.select_for_update().get_or_create(user_id=user_id)
    today = timezone.localdate()
    if rollup.week_start != week_start_of(today):
        rollup.week_start, rollup.sessions_this_week = week_start_of(today), 0
    rollup.sessions_this_week += 1
    rollup.evaluated_sessions += 1
    rollup.score_total += evaluation.overall_score or 0
    if rollup.last_practice_on != today:
        continues = rollup.last_practice_on == today - timedelta(days=1)
        rollup.streak_days = rollup.streak_days + 1 if continues else 1
        rollup.last_practice_on = today
    rollup.best_streak_days = max(rollup.best_streak_days, rollup.streak_days)
    rollup.updated_at = timezone.now()
    rollup.save()
    return rollup


def _priority(occurrences: int, window: int) -> str:
    if occurrences >= 2 and occurrences * 2 >= window:
        return "high"
    return "medium" if occurrences >= 2 else "low"


def plan_update(*, user_id) -> ImprovementPlan:
    """Rebuild the plan from the last PLAN_WINDOW evaluations: weak dimensions ranked by how often they recur."""
    recent = list(
        Evaluation.objects.filter(user_id=user_id, status=EvaluationStatus.OK)
        .order_by("-created_at")
        .values("universal_scores", "practice_suggestions")[:PLAN_WINDOW]
    )
    weak = Counter(dim for row in recent for dim in UNIVERSAL if row["universal_scores"].get(dim, "solid") in WEAK)
    latest = recent[0]["universal_scores"] if recent else {}
    ranked = sorted(weak, key=lambda dim: (-weak[dim], level_value(latest.get(dim, "solid")), dim))
    focus_areas = [
        {
            "dimension": dim,
            "area": DIMENSION_ADVICE[dim][0],
            "suggestion": DIMENSION_ADVICE[dim][1],
            "priority": _priority(weak[dim], len(recent)),
            "occurrences": weak[dim],
            "of_sessions": len(recent),
            "latest_level": latest.get(dim, ""),
        }
        for dim in ranked
    ]
    plan, _ = ImprovementPlan.objects.update_or_create(
        user_id=user_id,
        defaults={
            "focus_areas": focus_areas,
            "recommendations": recent[0]["practice_suggestions"] if recent else [],
            "recurring_weaknesses": [dim for dim in ranked if weak[dim] >= 2],
            "based_on": len(recent),
        },
    )
    return plan
