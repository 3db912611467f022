"""The review queue page, the side-by-side attempts and both rubrics on the trends page, through Django's client."""

import pytest
from django.test import Client

from coaching.models import MistakeCard
from coaching.tests.conftest import practice
from coaching.tests.test_review_queue import japanese_session
from conversations.models import PracticeSession

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_review_page_marks_the_error_and_rating_schedules_the_card(auth_client, page_client, user):
    japanese_session(auth_client)

    html = page_client.get("/review/").content.decode()

    card = MistakeCard.objects.get(user=user)
    assert f'data-id="{card.id}"' in html and "<mark>" in html and "Practise what is due" in html
    response = page_client.post(f"/review/{card.id}/rate/", {"rating": "good"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.reviews == 1
    assert f'data-id="{card.id}"' not in page_client.get("/review/").content.decode()


def test_practise_what_is_due_starts_a_focused_session(auth_client, page_client, user):
    japanese_session(auth_client)

    response = page_client.post("/review/practise/", {"language": "japanese", "level": "beginner"})

    session = PracticeSession.objects.get(user=user, focus="due")
    assert response.status_code == 302 and response["Location"] == f"/sessions/{session.id}/"
    assert session.targets and session.context["practice_targets"]


def test_a_replay_shows_this_attempt_beside_the_last(auth_client, page_client, user):
    first = japanese_session(auth_client)
    auth_client.post(f"/api/v1/sessions/{first}/end")
    second = japanese_session(auth_client)
    auth_client.post(f"/api/v1/sessions/{second}/end")

    assert str(PracticeSession.objects.get(id=second).previous_attempt_id) == first
    html = page_client.get(f"/sessions/{second}/review/").content.decode()
    assert "This attempt and the last" in html and f"/sessions/{first}/review/" in html
    assert "particle: 1" in html


def test_the_trends_page_shows_both_rubrics_when_a_learner_does_both(auth_client, page_client, user):
    auth_client.post(f"/api/v1/sessions/{japanese_session(auth_client)}/end")
    auth_client.post(f"/api/v1/sessions/{practice(auth_client)}/end")

    html = page_client.get("/trends/").content.decode()

    assert 'data-rubric="language"' in html and 'data-rubric="professional"' in html
    assert "Task completion" in html and "Clarity and structure" in html


def test_history_shows_the_score_and_filters_by_mode_language_score_and_transcript(auth_client, page_client, user):
    japanese = japanese_session(auth_client)
    auth_client.post(f"/api/v1/sessions/{japanese}/end")
    interview = practice(auth_client)
    auth_client.post(f"/api/v1/sessions/{interview}/end")
    scores = {str(s.id): s.evaluation.overall_score for s in PracticeSession.objects.filter(user=user)}

    def rows(query: str) -> str:
        response = page_client.get(f"/history/?{query}")
        assert response.status_code == 200
        return response.content.decode()

    everything = rows("")
    assert everything.count('class="session-row"') == 2
    assert f'<span class="score-value">{scores[japanese]}</span>' in everything
    assert f'<span class="score-value">{scores[interview]}</span>' in everything
    assert f"/sessions/{japanese}/review/" in rows("mode=language&language=japanese&template=casual")
    assert f"/sessions/{japanese}/review/" not in rows("mode=interview")
    assert f"/sessions/{interview}/review/" in rows("search=payments outage")
    assert rows("search=payments outage").count('class="session-row"') == 1
    low, high = sorted(scores.values())
    assert rows(f"min_score={high}&max_score={high}").count('class="session-row"') == 1 + (low == high)
    assert "No session matches" in rows("search=nothing-like-this")
