"""Reads for coaching: the profile without creating it, improvements, trends, history."""

import uuid
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from coaching.models import CardVariant, ImprovementPlan, MistakeCard, Profile, ProgressRollup
from coaching.progress import RUBRIC_DIMENSIONS, week_start_of
from conversations.models import Message, PracticeSession, SessionStatus
from evaluations.models import Evaluation, EvaluationStatus, Rubric
from evaluations.scoring import UNIVERSAL, level_value
from vocabulary.models import ReviewRating, VocabularyItem

VELOCITY_WINDOW = 10
ORDERINGS = {"date": "created_at", "score": "evaluation__overall_score", "type": "preparation_type"}


def training_focus_title(*, user) -> str:
    """The title of the user's training focus, "" without one; never creates the profile."""
    profile = Profile.objects.filter(user=user).first()
    return profile.training_focus.get("title", "") if profile else ""


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
        "rubrics": {
            rubric: {**part, "based_on_sessions": part.get("based_on", 0)} for rubric, part in plan.by_rubric.items()
        }
        if plan
        else {},
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


def _rubric_trends(rows: list[tuple], *, rubric: str, window: int, recurring: list[str]) -> dict:
    dimensions = RUBRIC_DIMENSIONS.get(rubric, UNIVERSAL)
    dimension_trends = {dim: [] for dim in dimensions}
    overall = []
    for session_id, created_at, score, universal, prep, _ in rows:
        when = created_at.isoformat()
        overall.append({"date": when, "session_id": str(session_id), "score": score, "preparation_type": prep})
        for dim in dimensions:
            if level := universal.get(dim):
                dimension_trends[dim].append({"date": when, "level": level, "value": level_value(level)})
    scores = [point["score"] for point in overall if point["score"] is not None]
    return {
        "dimension_trends": dimension_trends,
        "overall": overall,
        "improvement_velocity": velocity(scores[-window:]),
        "velocity_window": min(window, len(scores)),
        "recurring_weaknesses": recurring,
    }


def trends_get(*, user, limit: int = 100, window: int = VELOCITY_WINDOW) -> dict:
    """Per rubric: per-dimension series of the last `limit` evaluations (oldest first), velocity and
    weaknesses; the top level repeats the rubric practised last, with every session's overall score.

    Three queries whatever the history: evaluations, plan and rollup.
    """
    rows = list(
        Evaluation.objects.filter(user=user, status=EvaluationStatus.OK)
        .order_by("-created_at")
        .values_list("session_id", "created_at", "overall_score", "universal_scores", "preparation_type", "rubric")[
            :limit
        ]
    )
    order = list(dict.fromkeys(row[5] for row in rows))
    rows.reverse()
    plan = ImprovementPlan.objects.filter(user=user).only("recurring_weaknesses", "by_rubric").first()
    by_rubric = plan.by_rubric if plan else {}
    rubrics = {
        rubric: _rubric_trends(
            [row for row in rows if row[5] == rubric],
            rubric=rubric,
            window=window,
            recurring=by_rubric.get(rubric, {}).get("recurring_weaknesses", []),
        )
        for rubric in order
    }
    lead = rubrics[order[0]] if order else _rubric_trends([], rubric=Rubric.PROFESSIONAL, window=window, recurring=[])
    everything = _rubric_trends(rows, rubric=order[0] if order else Rubric.PROFESSIONAL, window=window, recurring=[])
    return {
        "dimension_trends": lead["dimension_trends"],
        "overall": everything["overall"],
        "improvement_velocity": everything["improvement_velocity"],
        "velocity_window": everything["velocity_window"],
        "recurring_weaknesses": plan.recurring_weaknesses if plan else [],
        "rubrics": rubrics,
        "metrics": progress_metrics(rollup=ProgressRollup.objects.filter(user=user).first()),
    }


def history_list(
    *,
    user,
    status: str | None = SessionStatus.COMPLETED,
    mode: str = "",
    language: str = "",
    template: str = "",
    preparation_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    min_score: int | None = None,
    max_score: int | None = None,
    search: str = "",
    ordering: list[str] = ("-date",),
) -> QuerySet[PracticeSession]:
    """The user's sessions (completed ones unless `status` says otherwise; "" for all but archived) with their
    evaluations, filtered, searched (title and transcript) and ordered. `template` is a slug or an id."""
    sessions = PracticeSession.objects.filter(user=user).select_related("conversation", "evaluation", "template")
    sessions = sessions.filter(status=status) if status else sessions.exclude(status=SessionStatus.ARCHIVED)
    if mode:
        sessions = sessions.filter(mode=mode)
    if language:
        sessions = sessions.filter(language=language)
    if template:
        try:
            sessions = sessions.filter(template_id=uuid.UUID(template))
        except ValueError:
            sessions = sessions.filter(template__slug=template)
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


LEECH_LAPSES = 4
QUEUE_LIMIT = 100


def _marked(sentence: str, original: str) -> str:
    """The learner's sentence with the wrong part between ** (Markdown emphasis)."""
    sentence, original = " ".join(sentence.split()), " ".join(original.split())
    if original and original in sentence and original != sentence:
        return sentence.replace(original, f"**{original}**", 1)
    return f"**{original or sentence}**"


def mistake_card_display(card: MistakeCard) -> dict:
    """A mistake card as the queue shows it: front, back, due, and whether it has become a leech."""
    mistake = card.mistake
    front = _marked(mistake.message.content if mistake.message_id else "", mistake.original)
    if card.variant == CardVariant.EXTRA:
        front = f"This keeps coming back ({mistake.get_type_display().lower()}). Correct it: {front}"
    back = "\n".join(part for part in (mistake.correction, mistake.explanation) if part)
    return {
        "id": str(card.id),
        "kind": "mistake",
        "front": front,
        "back": back,
        "due": card.due_at.isoformat(),
        "variant": card.variant,
        "mistake_kind": mistake.type,
        "language": mistake.session.language,
        "lapses": card.lapses,
        "leech": card.lapses >= LEECH_LAPSES,
    }


def vocabulary_card_display(item: VocabularyItem) -> dict:
    back = " · ".join(part for part in (item.reading, item.translation) if part)
    return {
        "id": str(item.id),
        "kind": "vocabulary",
        "front": item.phrase,
        "back": back or item.context_sentence,
        "due": item.due_at.isoformat(),
        "variant": "main",
        "mistake_kind": "",
        "language": item.language,
        "lapses": item.lapses,
        "leech": item.lapses >= LEECH_LAPSES,
    }


def _vocabulary_with_lapses(*, user) -> QuerySet[VocabularyItem]:
    lapses = Count("review_logs", filter=Q(review_logs__rating=ReviewRating.AGAIN))
    return VocabularyItem.objects.filter(user=user).annotate(lapses=lapses)


def review_due_list(*, user, now=None, limit: int = QUEUE_LIMIT) -> dict:
    """The due cards of both kinds, most overdue first; leeches (failed LEECH_LAPSES times) are listed
    apart, due or not, so they get a different kind of attention. Four queries, none per card."""
    now = now or timezone.now()
    mistakes = MistakeCard.objects.filter(user=user).select_related("mistake__message", "mistake__session")
    vocabulary = _vocabulary_with_lapses(user=user)
    due = [
        *(mistake_card_display(c) for c in mistakes.filter(due_at__lte=now, lapses__lt=LEECH_LAPSES)[:limit]),
        *(vocabulary_card_display(i) for i in vocabulary.filter(due_at__lte=now, lapses__lt=LEECH_LAPSES)[:limit]),
    ]
    due.sort(key=lambda card: (card["due"], card["id"]))
    leeches = [
        *(mistake_card_display(c) for c in mistakes.filter(lapses__gte=LEECH_LAPSES)[:limit]),
        *(vocabulary_card_display(i) for i in vocabulary.filter(lapses__gte=LEECH_LAPSES)[:limit]),
    ]
    return {"results": due[:limit], "count": len(due[:limit]), "leeches": leeches}


def review_card_get(*, user, card: MistakeCard | VocabularyItem) -> dict:
    """One card of the queue as the queue shows it, after a review."""
    if isinstance(card, MistakeCard):
        card = MistakeCard.objects.select_related("mistake__message", "mistake__session").get(id=card.id)
        return mistake_card_display(card)
    return vocabulary_card_display(_vocabulary_with_lapses(user=user).get(id=card.id))
