"""One review queue for vocabulary and mistake cards, scheduled by fsrs."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import tokens_for
from accounts.tests.factories import UserFactory
from coaching.cards import RECURRING_SESSIONS, mistake_cards_make
from coaching.models import CardVariant, MistakeCard
from coaching.tests.conftest import practice
from conversations.tests.factories import seeded_templates
from evaluations.models import Mistake
from vocabulary.models import VocabularyItem

pytestmark = pytest.mark.django_db(transaction=True)

# The offline checker finds one particle mistake (を for は before です) in the second turn.
TURNS = ["はじめまして。スミスです。", "わたしを がくせい です。", "まいにち にほんごを べんきょうします。"]


def japanese_session(client, turns=TURNS) -> str:
    seeded_templates()
    return practice(client, mode="language", answers=turns, language="japanese", level="beginner", template="casual")


def due(client, kind: str | None = "mistake") -> dict:
    """The due queue; by default only its mistake cards (the offline partner also tags vocabulary)."""
    response = client.get("/api/v1/review/due")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    if kind:
        body["results"] = [card for card in body["results"] if card["kind"] == kind]
        body["leeches"] = [card for card in body["leeches"] if card["kind"] == kind]
    return body


def test_a_mistake_made_in_a_session_is_in_the_due_queue_at_once(auth_client, user):
    japanese_session(auth_client)
    mistake = Mistake.objects.get(session__user=user)

    body = due(auth_client)

    assert len(body["results"]) == 1
    card = body["results"][0]
    assert card["kind"] == "mistake" and set(card) >= {"id", "kind", "front", "back", "due"}
    # front: the learner's sentence with the error marked; back: the correction and the explanation
    assert card["front"] == TURNS[1].replace(mistake.original, f"**{mistake.original}**", 1)
    assert mistake.correction in card["back"] and mistake.explanation in card["back"]


def test_rating_a_card_schedules_it_later(auth_client, user):
    japanese_session(auth_client)
    card = due(auth_client)["results"][0]

    rated = auth_client.post(f"/api/v1/review/{card['id']}", {"rating": "good"}, format="json")

    assert rated.status_code == 200, rated.content
    assert rated.json()["due"] > timezone.now().isoformat()
    assert due(auth_client)["results"] == []
    assert MistakeCard.objects.get(id=card["id"]).reviews == 1


def test_vocabulary_and_mistakes_share_the_queue_and_the_old_endpoints_still_work(auth_client, user):
    japanese_session(auth_client)
    VocabularyItem.objects.filter(user=user).delete()
    item = auth_client.post("/api/v1/vocabulary", {"phrase": "学生", "reading": "がくせい", "translation": "student",
                                                   "language": "japanese"}, format="json").json()  # fmt: skip

    kinds = {card["kind"]: card for card in due(auth_client, kind=None)["results"]}
    assert set(kinds) == {"vocabulary", "mistake"}
    assert kinds["vocabulary"]["front"] == "学生" and kinds["vocabulary"]["back"] == "がくせい · student"

    assert auth_client.post(f"/api/v1/vocabulary/{item['id']}/review", {"rating": 3}, format="json").status_code == 200
    assert [card["kind"] for card in due(auth_client, kind=None)["results"]] == ["mistake"]
    assert auth_client.get("/api/v1/vocabulary/review").json()["count"] == 0


def test_a_card_failed_four_times_is_a_leech_shown_apart(auth_client, user):
    japanese_session(auth_client)
    card_id = due(auth_client)["results"][0]["id"]

    for _ in range(3):
        auth_client.post(f"/api/v1/review/{card_id}", {"rating": "again"}, format="json")
    assert due(auth_client)["leeches"] == []
    auth_client.post(f"/api/v1/review/{card_id}", {"rating": "again"}, format="json")

    body = due(auth_client)
    assert [card["id"] for card in body["leeches"]] == [card_id] and body["leeches"][0]["leech"] is True
    assert card_id not in [card["id"] for card in body["results"]]


def test_a_mistake_kind_recurring_in_three_sessions_gets_extra_cards(auth_client, user):
    for _ in range(RECURRING_SESSIONS - 1):
        japanese_session(auth_client)
    due(auth_client)
    assert not MistakeCard.objects.filter(variant=CardVariant.EXTRA).exists()

    japanese_session(auth_client)
    body = due(auth_client)

    extra = [card for card in body["results"] if card["variant"] == "extra"]
    assert extra and {card["mistake_kind"] for card in extra} == {"particle"}
    assert all(card["front"].startswith("This keeps coming back (particle)") for card in extra)
    # the same sentence each time: one extra card, not one per session
    assert len(extra) == 1


def test_bad_ratings_are_400_and_other_peoples_cards_404(auth_client, user):
    japanese_session(auth_client)
    card_id = due(auth_client)["results"][0]["id"]
    other_client = APIClient()
    other_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=UserFactory())['token']}")

    bad = auth_client.post(f"/api/v1/review/{card_id}", {"rating": "perfect"}, format="json")
    assert bad.status_code == 400 and bad.json()["fields"]["rating"]
    assert other_client.post(f"/api/v1/review/{card_id}", {"rating": "good"}, format="json").status_code == 404
    assert other_client.get("/api/v1/review/due").json() == {"results": [], "count": 0, "leeches": []}
    unknown = "00000000-0000-0000-0000-000000000000"
    assert auth_client.post(f"/api/v1/review/{unknown}", {"rating": "good"}, format="json").status_code == 404


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_mistake_gets_its_card_when_recorded_and_reading_the_queue_writes_nothing(auth_client, user):
    japanese_session(auth_client)

    # the card exists before anything reads the queue
    mistake = Mistake.objects.get(session__user=user)
    assert MistakeCard.objects.filter(mistake=mistake, variant=CardVariant.MAIN).count() == 1
    MistakeCard.objects.all().delete()
    page_client = Client()
    page_client.force_login(user)

    with CaptureQueriesContext(connection) as api_queries:
        assert due(auth_client)["results"] == []
    with CaptureQueriesContext(connection) as page_queries:
        assert page_client.get("/review/").status_code == 200

    assert _writes(api_queries.captured_queries) == [] and _writes(page_queries.captured_queries) == []
    assert not MistakeCard.objects.exists()


def test_making_the_cards_of_recorded_mistakes_twice_makes_them_once(auth_client, user):
    japanese_session(auth_client)
    mistakes = list(Mistake.objects.filter(session__user=user))

    mistake_cards_make(user=user, mistakes=mistakes)

    assert MistakeCard.objects.filter(user=user).count() == len(mistakes) == 1
