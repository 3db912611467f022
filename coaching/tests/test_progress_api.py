from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from coaching.selectors import velocity
from coaching.tests.conftest import ANSWERS, WEAK_ANSWERS, evaluated_session, practice
from conversations.tests.factories import seeded_templates
from evaluations.models import Evaluation

# The REST turns run the gateway through async_to_sync; on PostgreSQL that needs committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_improvements_rank_recurring_weaknesses(auth_client, user):
    for answers in (WEAK_ANSWERS, WEAK_ANSWERS, ANSWERS):
        auth_client.post(f"/api/v1/sessions/{practice(auth_client, answers=answers)}/end")

    body = auth_client.get("/api/v1/improvements").json()

    assert body["based_on_sessions"] == 3
    assert "confidence_delivery" in body["recurring_weaknesses"]
    top = body["focus_areas"][0]
    assert top["occurrences"] == 2 and top["priority"] == "high" and top["suggestion"]
    assert [area["occurrences"] for area in body["focus_areas"]] == sorted(
        (area["occurrences"] for area in body["focus_areas"]), reverse=True
    )


def test_improvements_are_empty_before_the_first_evaluation(auth_client, user):
    assert auth_client.get("/api/v1/improvements").json()["focus_areas"] == []


def test_trends_give_series_velocity_and_metrics(auth_client, user, django_assert_max_num_queries):
    start = timezone.now() - timedelta(days=3)
    for i, score in enumerate([50, 60, 70, 80]):
        level = "developing" if score < 60 else "solid"
        evaluated_session(user=user, score=score, levels={"clarity_structure": level}, when=start + timedelta(days=i))

    with django_assert_max_num_queries(4):
        body = auth_client.get("/api/v1/analytics/trends").json()

    assert [p["score"] for p in body["overall"]] == [50, 60, 70, 80]
    assert [p["level"] for p in body["dimension_trends"]["clarity_structure"]] == ["developing", "solid", "solid",
                                                                                   "solid"]  # fmt: skip
    assert body["improvement_velocity"] == 10.0


def test_velocity_is_the_least_squares_slope():
    assert velocity([]) == 0.0 and velocity([70]) == 0.0
    assert velocity([80, 70, 60]) == -10.0
    assert velocity([50, 70, 60, 80]) == 8.0


def test_rollup_counts_the_week_the_average_and_the_streak(user):
    # Tokens carry real times, so this client is authenticated without one while time travels.
    auth_client = APIClient()
    auth_client.force_authenticate(user)
    with time_machine.travel("2026-03-02 10:00Z", tick=False):  # a Monday
        auth_client.post(f"/api/v1/sessions/{practice(auth_client)}/end")
    with time_machine.travel("2026-03-03 10:00Z", tick=False):
        auth_client.post(f"/api/v1/sessions/{practice(auth_client, answers=WEAK_ANSWERS)}/end")
        metrics = auth_client.get("/api/v1/analytics/trends").json()["metrics"]
    assert metrics["evaluated_sessions"] == 2 and metrics["sessions_this_week"] == 2
    assert metrics["streak_days"] == 2 and metrics["average_score"] is not None

    with time_machine.travel("2026-03-10 10:00Z", tick=False):
        later = auth_client.get("/api/v1/analytics/trends").json()["metrics"]
    assert later["sessions_this_week"] == 0 and later["streak_days"] == 0 and later["best_streak_days"] == 2


def test_history_filters_searches_orders_and_paginates(auth_client, user):
    now = timezone.now()
    evaluated_session(user=user, score=40, prep="Sales", when=now - timedelta(days=10), title="Cold call")
    evaluated_session(user=user, score=90, prep="Interview", when=now - timedelta(days=5), title="Final round")
    evaluated_session(user=user, score=65, prep="Interview", when=now - timedelta(days=1), title="Screening")
    in_progress = practice(auth_client, answers=["the kubernetes migration"])
    searched = practice(auth_client, answers=["the kubernetes migration"] * 3)
    auth_client.post(f"/api/v1/sessions/{searched}/end")

    def ids(query: str) -> list[str]:
        response = auth_client.get(f"/api/v1/history?{query}")
        assert response.status_code == 200, response.content
        return [item["evaluation"]["overall_score"] if item["evaluation"] else None for item in
                response.json()["results"]]  # fmt: skip

    assert ids("preparation_type=Interview&ordering=score") == [65, 90]
    assert ids("min_score=50&max_score=80&preparation_type=Interview") == [65]
    assert ids(f"from={(now - timedelta(days=6)).date()}&to={(now - timedelta(days=2)).date()}") == [90]
    assert ids("ordering=type,-score")[1:] == [90, 65, 40]  # the free session has no type and sorts first
    assert ids("search=final") == [90]
    found = auth_client.get("/api/v1/history?search=KUBERNETES").json()
    assert [item["session_id"] for item in found["results"]] == [searched]
    assert in_progress not in str(auth_client.get("/api/v1/history").json())
    page = auth_client.get("/api/v1/history?limit=2&offset=0&ordering=-date").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_history_refuses_bad_filters(auth_client, user):
    for query in ("ordering=price", "min_score=101", "from=yesterday", "preparation_type=Dating"):
        response = auth_client.get(f"/api/v1/history?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid"


def test_history_lists_only_my_sessions(auth_client, user, other_user):
    evaluated_session(user=other_user, score=70)

    assert auth_client.get("/api/v1/history").json()["count"] == 0


def test_history_filters_by_mode_language_and_template_with_the_score_on_every_row(auth_client, user):
    interview = evaluated_session(user=user, score=72, title="Screening")
    seeded_templates()
    answers = ["はじめまして。スミスです。", "しゅみは りょうりです。", "まいにち つくります。"]
    japanese = practice(auth_client, mode="language", language="japanese", level="beginner", template="casual",
                        answers=answers)  # fmt: skip
    auth_client.post(f"/api/v1/sessions/{japanese}/end")

    def rows(query: str) -> list[tuple]:
        response = auth_client.get(f"/api/v1/history?{query}")
        assert response.status_code == 200, response.content
        return [(r["session_id"], r["score"], r["rubric"]) for r in response.json()["results"]]

    japanese_score = Evaluation.objects.get(session_id=japanese).overall_score
    assert rows("mode=language") == [(japanese, japanese_score, "language")]
    assert rows("language=japanese&template=casual") == [(japanese, japanese_score, "language")]
    assert rows("mode=interview") == [(str(interview.session_id), 72, "professional")]
    assert rows("language=english&mode=language") == []
    assert auth_client.get("/api/v1/history?mode=chess").status_code == 400
