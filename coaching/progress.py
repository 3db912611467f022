"""What follows an evaluation in coaching: the improvement plan and the progress rollup."""

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from coaching.models import ImprovementPlan, ProgressRollup
from evaluations.language_rubric import DIMENSIONS as LANGUAGE_DIMENSIONS
from evaluations.language_rubric import KIND_PLAN, PLAN_ADVICE
from evaluations.models import Evaluation, EvaluationStatus, Mistake, Rubric
from evaluations.scoring import DIMENSION_ADVICE, UNIVERSAL, WEAK, level_value

RUBRIC_DIMENSIONS = {Rubric.PROFESSIONAL: UNIVERSAL, Rubric.LANGUAGE: LANGUAGE_DIMENSIONS}

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


def _rubric_plan(*, rubric: str, recent: list[dict]) -> dict:
    """One rubric's plan from its recent evaluations (newest first)."""
    dimensions = RUBRIC_DIMENSIONS[rubric]
    advice = PLAN_ADVICE if rubric == Rubric.LANGUAGE else DIMENSION_ADVICE
    weak = Counter(dim for row in recent for dim in dimensions if row["universal_scores"].get(dim, "solid") in WEAK)
    latest = recent[0]["universal_scores"] if recent else {}
    ranked = sorted(weak, key=lambda dim: (-weak[dim], level_value(latest.get(dim, "solid")), dim))
    focus_areas = [
        {
            "dimension": dim,
            "area": advice[dim][0],
            "suggestion": advice[dim][1],
            "priority": _priority(weak[dim], len(recent)),
            "occurrences": weak[dim],
            "of_sessions": len(recent),
            "latest_level": latest.get(dim, ""),
        }
        for dim in ranked
    ]
    recurring = [dim for dim in ranked if weak[dim] >= 2]
    if rubric == Rubric.LANGUAGE:
        kinds = mistake_kinds(session_ids=[row["session_id"] for row in recent])
        recurring = [kind for kind, sessions in kinds if sessions >= 2]
        focus_areas = [
            {
                "dimension": kind,
                "area": KIND_PLAN.get(kind, KIND_PLAN["other"])[0],
                "suggestion": KIND_PLAN.get(kind, KIND_PLAN["other"])[1],
                "priority": _priority(sessions, len(recent)),
                "occurrences": sessions,
                "of_sessions": len(recent),
                "latest_level": "",
            }
            for kind, sessions in kinds
            if sessions >= 2
        ] + focus_areas
    return {
        "focus_areas": focus_areas,
        "recommendations": recent[0]["practice_suggestions"] if recent else [],
        "recurring_weaknesses": recurring,
        "based_on": len(recent),
    }


def mistake_kinds(*, session_ids: list) -> list[tuple[str, int]]:
    """Mistake kinds of these sessions with the number of sessions each occurred in, most frequent first."""
    rows = (
        Mistake.objects.filter(session_id__in=session_ids)
        .values("type")
        .annotate(sessions=Count("session_id", distinct=True), mistakes=Count("id"))
        .order_by("-sessions", "-mistakes", "type")
    )
    return [(row["type"], row["sessions"]) for row in rows]


def plan_update(*, user_id) -> ImprovementPlan:
    """Rebuild the plan per rubric from its last PLAN_WINDOW evaluations: weak dimensions ranked by how
    often they recur, and for language the most frequent mistake kinds. The latest rubric's plan leads."""
    rows = (
        Evaluation.objects.filter(user_id=user_id, status=EvaluationStatus.OK)
        .order_by("-created_at")
        .values("session_id", "rubric", "universal_scores", "practice_suggestions")
    )
    by_rubric = {}
    for rubric in dict.fromkeys(row["rubric"] for row in rows[: PLAN_WINDOW * 2]):
        recent = list(rows.filter(rubric=rubric)[:PLAN_WINDOW])
        by_rubric[rubric] = _rubric_plan(rubric=rubric, recent=recent)
    lead = next(iter(by_rubric.values()), _rubric_plan(rubric=Rubric.PROFESSIONAL, recent=[]))
    plan, _ = ImprovementPlan.objects.update_or_create(user_id=user_id, defaults={**lead, "by_rubric": by_rubric})
    return plan
