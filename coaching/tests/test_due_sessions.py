"""A "due" session: seeded from the review queue, steering toward its targets, counting what was used."""

import pytest
from django.test import Client

from coaching.models import MistakeCard
from coaching.tests.test_review_queue import japanese_session
from conversations.models import PracticeSession
from conversations.services.context import reply_request_build
from evaluations.models import Evaluation
from vocabulary.models import ReviewLog, VocabularyItem

pytestmark = pytest.mark.django_db(transaction=True)

DUE = {"mode": "language", "language": "japanese", "level": "beginner", "focus": "due"}


def test_a_due_session_steers_toward_due_words_and_mistakes_and_counts_those_used(auth_client, user):
    # given a particle mistake from an earlier session and a due word
    japanese_session(auth_client)
    VocabularyItem.objects.filter(user=user).delete()
    word = auth_client.post("/api/v1/vocabulary", {"phrase": "学生", "translation": "student",
                                                   "language": "japanese"}, format="json").json()  # fmt: skip

    # when a "due" session starts
    started = auth_client.post("/api/v1/sessions", DUE, format="json")

    # then its targets are the due word and the corrected words of the mistake, and the partner is told
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["focus"] == "due"
    texts = {target["kind"]: target["text"] for target in body["targets"]}
    assert texts == {"vocabulary": "学生", "mistake": "わたしは"}
    session = PracticeSession.objects.get(id=body["session_id"])
    prompt = reply_request_build(session=session, user_text="はい", before_seq=10**6).system_prompt
    assert "学生 (student)" in prompt and "わたしは" in prompt

    # when the learner uses both correctly and the session ends
    for turn in ["こんにちは。", "わたしは 学生です。", "まいにち にほんごを べんきょうします。"]:
        assert (
            auth_client.post(f"/api/v1/sessions/{session.id}/messages", {"message": turn}, format="json").status_code
            == 201
        )
    auth_client.post(f"/api/v1/sessions/{session.id}/end")

    # then the review reports them used, and each use counted as a review of its card
    practised = Evaluation.objects.get(session=session).details["targets_practised"]
    assert {t["text"]: t["used_correctly"] for t in practised} == {"学生": True, "わたしは": True}
    assert ReviewLog.objects.filter(item_id=word["id"], rating=3).count() == 1
    card = MistakeCard.objects.get(id=next(t["card_id"] for t in practised if t["kind"] == "mistake"))
    assert card.reviews == 1
    due_ids = {c["id"] for c in auth_client.get("/api/v1/review/due").json()["results"]}
    assert word["id"] not in due_ids and str(card.id) not in due_ids


def test_a_target_said_with_a_mistake_is_not_counted(auth_client, user):
    japanese_session(auth_client)
    session_id = auth_client.post("/api/v1/sessions", DUE, format="json").json()["session_id"]

    for turn in ["こんにちは。", "わたしは がくせいを です。", "まいにち にほんごを べんきょうします。"]:
        auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": turn}, format="json")
    auth_client.post(f"/api/v1/sessions/{session_id}/end")

    practised = Evaluation.objects.get(session_id=session_id).details["targets_practised"]
    mistake = next(t for t in practised if t["kind"] == "mistake")
    assert mistake["used"] is True and mistake["used_correctly"] is False
    assert MistakeCard.objects.get(id=mistake["card_id"]).reviews == 0


def test_an_unknown_focus_is_a_400(auth_client, user):
    response = auth_client.post("/api/v1/sessions", {**DUE, "focus": "everything"}, format="json")

    assert response.status_code == 400 and "focus" in response.json()["fields"]


def _due_session_with_a_word(client, user) -> tuple[str, dict]:
    japanese_session(client)
    VocabularyItem.objects.filter(user=user).delete()
    word = client.post("/api/v1/vocabulary", {"phrase": "学生", "translation": "student", "language": "japanese"},
                       format="json").json()  # fmt: skip
    return client.post("/api/v1/sessions", DUE, format="json").json()["session_id"], word


def test_a_short_due_session_is_too_short_to_score_but_reviews_the_cards_it_practised(auth_client, user):
    session_id, word = _due_session_with_a_word(auth_client, user)
    auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": "わたしは 学生です。"}, format="json")

    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()
    again = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    assert ended["evaluation_id"] is None and ended["reason"] == "too_few_turns" and again["evaluation_id"] is None
    assert not Evaluation.objects.filter(session_id=session_id).exists()
    # each card practised is reviewed once, however often the session is ended
    assert ReviewLog.objects.filter(item_id=word["id"], rating=3).count() == 1
    card = MistakeCard.objects.get(user=user, variant="main", mistake__session__focus="")
    assert card.reviews == 1 and card.lapses == 0
    targets = auth_client.get(f"/api/v1/sessions/{session_id}").json()["targets"]
    assert {t["text"]: t["reviewed"] for t in targets} == {"学生": "good", "わたしは": "good"}


def test_making_a_card_s_mistake_again_in_a_due_session_is_a_lapse(auth_client, user):
    session_id, word = _due_session_with_a_word(auth_client, user)
    card = MistakeCard.objects.get(user=user, variant="main")
    auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": "わたしを がくせい です。"}, format="json")

    auth_client.post(f"/api/v1/sessions/{session_id}/end")

    card.refresh_from_db()
    assert card.reviews == 1 and card.lapses == 1
    # the word was not said: its card is left as it was
    assert not ReviewLog.objects.filter(item_id=word["id"]).exists()
    targets = auth_client.get(f"/api/v1/sessions/{session_id}").json()["targets"]
    assert [t.get("reviewed") for t in targets if t["kind"] == "mistake"] == ["again"]


def test_the_review_page_of_a_short_due_session_shows_what_it_practised(auth_client, user):
    session_id, _ = _due_session_with_a_word(auth_client, user)
    for turn in ["学生です。", "わたしを がくせい です。"]:
        auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": turn}, format="json")
    auth_client.post(f"/api/v1/sessions/{session_id}/end")
    page_client = Client()
    page_client.force_login(user)

    html = page_client.get(f"/sessions/{session_id}/review/").content.decode()

    assert "Too few turns" in html and "What you practised" in html
    assert "Used correctly: counted as a review" in html
    assert "The same mistake again: the card comes back sooner" in html
