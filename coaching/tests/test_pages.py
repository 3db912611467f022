"""The coaching pages and the evaluation on the session review, through Django's test client."""

import pytest
from asgiref.sync import async_to_sync
from django.test import Client

from accounts.throttles import UserRateThrottle
from coaching.charts import CHART_HEIGHT, CHART_PADDING, CHART_WIDTH, chart_points, dimension_chart
from coaching.models import Profile
from coaching.tests.conftest import ANSWERS, evaluated_session
from conversations.services.replies import reply_generate
from conversations.services.sessions import session_end, session_start, turn_submit
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.scoring import UNIVERSAL

pytestmark = pytest.mark.django_db

PAGES = ["/profile/", "/trends/"]


@pytest.fixture
def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _practised(user, answers=ANSWERS):
    """An interview session with `answers` as the learner's turns, each answered by the offline partner."""
    session = session_start(user=user, mode="interview", language="english", level="intermediate",
                            preparation_type="Interview")  # fmt: skip
    for index, answer in enumerate(answers):
        turn = turn_submit(session=session, content=answer, client_id=f"turn-{index}")
        async_to_sync(reply_generate)(
            session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id
        )
    session.refresh_from_db()
    return session


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_for_a_signed_in_user(page_client, url):
    response = page_client.get(url)

    assert response.status_code == 200
    assert b"<title>" in response.content and b"<h1>" in response.content
    assert b'href="/profile/"' in response.content and b'href="/trends/"' in response.content


@pytest.mark.parametrize("url", [*PAGES, "/sessions/00000000-0000-0000-0000-000000000000/review/"])
def test_pages_ask_for_a_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and response.url.startswith(f"/login/?next={url}")


def test_anonymous_nav_has_no_profile_or_trends(client):
    content = client.get("/login/").content
    assert b'href="/profile/"' not in content and b'href="/trends/"' not in content


@pytest.mark.django_db(transaction=True)
def test_the_review_shows_the_evaluation_after_three_turns_and_the_end(user, page_client):
    session = _practised(user)

    ended = page_client.post(f"/sessions/{session.id}/end/")
    review = page_client.get(ended.url)

    evaluation = Evaluation.objects.get(session=session)
    assert evaluation.status == EvaluationStatus.OK and evaluation.offline
    content = review.content.decode()
    assert f'<span class="score-value">{evaluation.overall_score}</span>' in content
    assert "Clarity and structure" in content and "Tone" in content
    assert "STAR structure" in content  # a context score of an interview
    assert "Offline" in content and "No evaluation yet" not in content


def test_the_review_says_why_there_is_no_evaluation_for_too_few_turns(user, page_client):
    session = session_start(user=user, mode="interview", language="english", level="intermediate")
    session_end(session=session)

    content = page_client.get(f"/sessions/{session.id}/review/").content.decode()

    assert "No evaluation yet" in content and "Too few turns" in content
    assert "Retry evaluation" not in content


def test_a_failed_evaluation_offers_a_retry_that_calls_the_service(user, page_client):
    stored = evaluated_session(user=user, score=70)
    Evaluation.objects.filter(id=stored.id).update(status=EvaluationStatus.FAILED, overall_score=None)
    session = stored.session
    session.user_turns = 3
    session.save(update_fields=["user_turns"])

    content = page_client.get(f"/sessions/{session.id}/review/").content.decode()
    assert "No evaluation yet" in content and "Retry evaluation" in content

    retried = page_client.post(f"/sessions/{session.id}/evaluate/")
    assert retried.status_code == 302 and retried.url == f"/sessions/{session.id}/review/"
    evaluation = Evaluation.objects.get(session=session)
    assert evaluation.status == EvaluationStatus.OK and evaluation.attempts == 2
    assert '<span class="score-value">' in page_client.get(retried.url).content.decode()


def test_another_users_review_and_retry_are_404(user, other_user, page_client):
    theirs = evaluated_session(user=other_user, score=80)

    assert page_client.get(f"/sessions/{theirs.session_id}/review/").status_code == 404
    assert page_client.post(f"/sessions/{theirs.session_id}/evaluate/").status_code == 404


def test_an_evaluation_stored_for_the_session_shows_its_levels_and_notes(user, page_client):
    evaluation = evaluated_session(user=user, score=64, levels={"confidence_delivery": "needs_work"})
    Evaluation.objects.filter(id=evaluation.id).update(
        improvement_areas=["Cut fillers", "Add numbers", "Use STAR", "A fourth one"],
        strengths=["Calm tone"],
        context_scores={"role_fit": "strong"},
    )

    content = page_client.get(f"/sessions/{evaluation.session_id}/review/").content.decode()

    assert '<span class="score-value">64</span>' in content
    assert 'level-needs_work">Needs work' in content and "Role fit" in content
    assert "Use STAR" in content and "A fourth one" not in content and "Calm tone" in content
    assert "Offline" not in content


def test_the_profile_form_saves(user, page_client):
    response = page_client.post(
        "/profile/",
        {
            "form": "profile",
            "preparation_type": "Pitch",
            "meeting_subtype": "Seed round",
            "agenda": "Raise 1M",
            "tone": "Calm",
            "role": "Founder",
        },  # fmt: skip
    )

    assert response.status_code == 302 and response.url == "/profile/"
    profile = Profile.objects.get(user=user)
    assert (profile.preparation_type, profile.meeting_subtype, profile.role) == ("Pitch", "Seed round", "Founder")
    page = page_client.get("/profile/").content.decode()
    assert "Profile saved." in page and 'value="Founder"' in page


def test_the_profile_form_shows_an_error_for_a_bad_preparation_type(user, page_client):
    response = page_client.post("/profile/", {"form": "profile", "preparation_type": "Poetry", "role": "Bard"})

    assert response.status_code == 400
    assert b'class="field-error"' in response.content and b"Select a valid choice" in response.content
    assert not Profile.objects.filter(user=user, role="Bard").exists()


def test_the_training_focus_form_splits_tags(user, page_client):
    response = page_client.post(
        "/profile/", {"form": "focus", "title": "Leadership", "tags": " leadership, STAR ,,", "agenda_template": "A"}
    )

    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.training_focus == {"title": "Leadership", "tags": ["leadership", "STAR"], "agenda_template": "A"}
    assert profile.agenda == "A"


def test_the_cv_form_redacts_and_shows_the_structured_profile(user, page_client):
    cv = (
        f"{user.display_name}\nEmail: jane.doe@example.com\nPhone: +44 20 7946 0958\n"
        "Senior Engineer, Acme (2019-2023)\n- Led a migration that cut costs by 30%\nSkills: Python, SQL\n"
    )

    response = page_client.post("/profile/", {"form": "cv", "cv_text": cv})

    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert "jane.doe@example.com" not in profile.cv_text
    page = page_client.get("/profile/").content.decode()
    assert "Story bank" in page and "personal detail" in page
    assert profile.structured_profile and "Paste your CV above" not in page


def test_the_cv_form_counts_against_the_users_api_limit(user, page_client, monkeypatch):
    # given a learner allowed one API call a minute (the offline partner has no limit of its own)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/min"})
    cv = "Senior Engineer, Acme (2019-2023)\nSkills: Python, SQL\n"
    assert page_client.post("/profile/", {"form": "cv", "cv_text": cv}).status_code == 302

    # when they send another CV within the minute
    refused = page_client.post("/profile/", {"form": "cv", "cv_text": cv + "Go\n"})

    # then it is refused on the form and the first one stands
    assert refused.status_code == 400 and "Too many requests" in refused.content.decode()
    assert "Go" not in Profile.objects.get(user=user).cv_text


def test_an_evaluation_retry_counts_against_the_users_api_limit(user, page_client, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "0/min"})
    stored = evaluated_session(user=user, score=70)
    Evaluation.objects.filter(id=stored.id).update(status=EvaluationStatus.FAILED, overall_score=None)

    retried = page_client.post(f"/sessions/{stored.session_id}/evaluate/", follow=True)

    assert "Too many requests" in retried.content.decode()
    assert Evaluation.objects.get(id=stored.id).status == EvaluationStatus.FAILED


def test_trends_empty_state(page_client):
    content = page_client.get("/trends/").content.decode()
    assert "No evaluations yet" in content and "<svg" not in content


def test_trends_draws_the_chart_velocity_and_plan(user, page_client):
    for score, level in ((40, "developing"), (55, "developing"), (70, "solid")):
        evaluated_session(user=user, score=score, levels={"confidence_delivery": level})
    from coaching.progress import plan_update

    plan_update(user_id=user.id)

    content = page_client.get("/trends/").content.decode()

    assert '<svg class="line-chart" role="img"' in content and 'aria-label="Levels per dimension' in content
    assert "<title" in content and content.count("<polyline") == 5
    assert "+15.0" in content  # (40, 55, 70): 15 points per session
    assert "Confidence and delivery" in content and "priority" in content


def test_chart_points_spread_over_the_slots_and_flip_y():
    points = chart_points([1, 4, 2.5], slots=3, y_min=1, y_max=4)

    inner_w = CHART_WIDTH - 2 * CHART_PADDING
    assert points == [
        (CHART_PADDING, CHART_HEIGHT - CHART_PADDING),
        (CHART_PADDING + inner_w / 2, CHART_PADDING),
        (CHART_WIDTH - CHART_PADDING, CHART_HEIGHT / 2),
    ]


def test_chart_points_edge_cases():
    assert chart_points([], slots=0, y_min=1, y_max=4) == []
    assert chart_points([9], slots=1, y_min=1, y_max=4) == [(CHART_WIDTH / 2, CHART_PADDING)]  # centred, clamped


def test_dimension_chart_builds_one_series_per_dimension():
    trends = {dim: [] for dim in UNIVERSAL} | {
        "clarity_structure": [{"level": "solid", "value": 3}, {"level": "strong", "value": 4}]
    }

    chart = dimension_chart(trends)

    assert [s["dimension"] for s in chart["series"]][0] == "clarity_structure" and len(chart["series"]) == 5
    first = chart["series"][0]
    assert first["polyline"] == " ".join(f"{x},{y}" for x, y in first["points"]) and first["latest"] == "Strong"
    assert chart["series"][1]["points"] == [] and chart["sessions"] == 2
    assert [g["label"] for g in chart["gridlines"]] == ["Needs work", "Developing", "Solid", "Strong"]
