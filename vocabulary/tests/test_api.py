import csv
import io
import sqlite3
import tempfile
import zipfile
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import tokens_for
from vocabulary.models import ReviewLog, VocabularyItem
from vocabulary.services import vocabulary_add
from vocabulary.tests.factories import VocabularyItemFactory, message_for

pytestmark = pytest.mark.django_db

ITEM_KEYS = {
    "id",
    "phrase",
    "reading",
    "translation",
    "context_sentence",
    "source_message",
    "source",
    "language",
    "mastery",
    "due_at",
    "created_at",
    "updated_at",
}


@pytest.fixture
def clock():
    with time_machine.travel("2026-03-01 09:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def clock_client(clock, user):
    """An authenticated client whose token is issued at the frozen time, so it is valid there."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['token']}")
    return client


@pytest.fixture
def item(user):
    return VocabularyItemFactory(user=user, phrase="ねこ", translation="cat")


@pytest.fixture
def foreign_item(other_user):
    return VocabularyItemFactory(user=other_user, phrase="いぬ", translation="dog")


def test_add_by_hand_with_context_sentence_and_source_message(auth_client, user):
    # given an AI reply in the learner's practice conversation
    message = message_for(user)
    # when the learner keeps a phrase from it (without a trailing slash)
    response = auth_client.post(
        "/api/v1/vocabulary",
        {
            "phrase": "てんき",
            "reading": "tenki",
            "translation": "weather",
            "context_sentence": "きょうは いい てんき ですね。",
            "source_message": str(message.id),
            "language": "japanese",
        },
        format="json",
    )
    # then it is created with the documented shape
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ITEM_KEYS
    assert body["source_message"] == str(message.id)
    assert (body["source"], body["mastery"], body["context_sentence"]) == (
        "manual",
        "new",
        "きょうは いい てんき ですね。",
    )
    assert VocabularyItem.objects.get(id=body["id"]).user == user


def test_adding_the_same_phrase_again_answers_200_with_the_existing_item(auth_client, user):
    # (a phrase the dictionary cannot fill in)
    first = auth_client.post(
        "/api/v1/vocabulary/", {"phrase": "ぴよまるの ねこ", "language": "japanese"}, format="json"
    )
    again = auth_client.post(
        "/api/v1/vocabulary/",
        {"phrase": "ぴよまるの ねこ", "language": "japanese", "translation": "cat"},
        format="json",
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["translation"] == "cat"
    assert VocabularyItem.objects.filter(user=user).count() == 1


def test_a_message_of_someone_elses_conversation_is_404(auth_client, other_user):
    foreign = message_for(other_user)
    response = auth_client.post(
        "/api/v1/vocabulary",
        {"phrase": "ねこ", "language": "japanese", "source_message": str(foreign.id)},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "message_not_found"
    assert not VocabularyItem.objects.exists()


def test_add_validates_input(auth_client):
    response = auth_client.post("/api/v1/vocabulary", {"phrase": "", "source_message": "nope"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"phrase", "language", "source_message"} <= set(body["fields"])


def test_list_filters_paginates_and_keeps_to_the_learner(auth_client, user, other_user, django_assert_num_queries):
    # given items in two languages and mastery states, and another learner's item
    with time_machine.travel("2026-03-01 09:00Z") as clock:
        for n in range(3):
            VocabularyItemFactory(user=user, phrase=f"ねこ{n}", translation="cat")
            clock.shift(timedelta(minutes=1))
        VocabularyItemFactory(user=user, phrase="perro", language="spanish", mastery="learning")
        VocabularyItemFactory(user=other_user, phrase="ねこ9")
    # when the learner pages through Japanese items matching "cat"
    with django_assert_num_queries(3):
        page = auth_client.get("/api/v1/vocabulary?language=japanese&search=CAT&limit=2&offset=0")
    # then the newest two come first with a link to the rest
    assert page.status_code == 200, page.content
    body = page.json()
    assert body["count"] == 3
    assert [i["phrase"] for i in body["results"]] == ["ねこ2", "ねこ1"]
    assert "offset=2" in body["next"] and body["previous"] is None
    learning = auth_client.get("/api/v1/vocabulary/?mastery=learning").json()
    assert [i["phrase"] for i in learning["results"]] == ["perro"]
    assert auth_client.get("/api/v1/vocabulary?search=ねこ9").json()["count"] == 0


def test_list_refuses_an_unknown_mastery_filter(auth_client):
    response = auth_client.get("/api/v1/vocabulary?mastery=forgotten")
    assert response.status_code == 400
    assert "mastery" in response.json()["fields"]


def test_get_one_item(auth_client, item):
    response = auth_client.get(f"/api/v1/vocabulary/{item.id}")
    assert response.status_code == 200
    assert response.json()["phrase"] == "ねこ"


def test_patch_mastery(auth_client, item):
    response = auth_client.patch(f"/api/v1/vocabulary/{item.id}/", {"mastery": "mastered"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["mastery"] == "mastered"
    item.refresh_from_db()
    assert item.mastery == "mastered"


def test_patch_refuses_an_unknown_mastery(auth_client, item):
    response = auth_client.patch(f"/api/v1/vocabulary/{item.id}", {"mastery": "forgotten"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "mastery" in response.json()["fields"]
    item.refresh_from_db()
    assert item.mastery == "new"


def test_delete(auth_client, item):
    response = auth_client.delete(f"/api/v1/vocabulary/{item.id}")
    assert response.status_code == 204
    assert not VocabularyItem.objects.filter(id=item.id).exists()


def test_due_list_holds_what_is_due_now(clock_client, clock, user, other_user):
    # given three items added at nine and one reviewed "good" (back in ten minutes)
    reviewed, waiting, _ = (VocabularyItemFactory(user=user, phrase=p) for p in ("あ", "い", "う"))
    VocabularyItemFactory(user=other_user)
    clock_client.post(f"/api/v1/vocabulary/{reviewed.id}/review", {"rating": "good"}, format="json")
    # when the learner asks what is due at once, and again twelve minutes later
    now_due = clock_client.get("/api/v1/vocabulary/review").json()
    clock.shift(timedelta(minutes=12))
    later_due = clock_client.get("/api/v1/vocabulary/review/").json()
    # then the reviewed item waits its ten minutes, and is due again after
    assert sorted(i["phrase"] for i in now_due["results"]) == ["い", "う"]
    assert now_due["count"] == 2
    assert later_due["count"] == 3
    assert str(waiting.id) in {i["id"] for i in later_due["results"]}


@pytest.mark.parametrize(
    ("rating", "at_least"), [("again", timedelta(minutes=1)), (2, timedelta(minutes=5)), ("3", timedelta(minutes=10))]
)
def test_review_moves_due_at_forward_and_starts_learning(clock_client, item, rating, at_least):
    response = clock_client.post(f"/api/v1/vocabulary/{item.id}/review", {"rating": rating}, format="json")
    now = timezone.now()
    assert response.status_code == 200, response.content
    body = response.json()
    due_at = datetime.fromisoformat(body["due_at"])
    assert now + at_least <= due_at < now + timedelta(days=1)
    assert body["mastery"] == "learning"
    assert ReviewLog.objects.filter(item=item).count() == 1


def test_review_easy_schedules_days_ahead(clock_client, item):
    body = clock_client.post(f"/api/v1/vocabulary/{item.id}/review/", {"rating": "easy"}, format="json").json()
    assert datetime.fromisoformat(body["due_at"]) >= datetime.fromisoformat("2026-03-03T09:00Z")


def test_review_refuses_a_bad_rating(auth_client, item):
    response = auth_client.post(f"/api/v1/vocabulary/{item.id}/review", {"rating": 7}, format="json")
    assert response.status_code == 400
    assert "rating" in response.json()["fields"]
    assert not ReviewLog.objects.exists()


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_export(auth_client, user, foreign_item):
    # given an item kept from a conversation
    vocabulary_add(
        user=user,
        phrase="てんき",
        reading="tenki",
        translation="weather, the sky",
        context_sentence="いい てんき ですね。",
        language="japanese",
        source_message=message_for(user),
    )
    # when the learner exports
    response = auth_client.get("/api/v1/vocabulary/export?format=csv")
    # then a CSV attachment holds their item only, with the documented header
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="parley-vocabulary.csv"'
    header, *rows = _csv_rows(response)
    assert header == [
        "phrase",
        "reading",
        "translation",
        "context_sentence",
        "language",
        "mastery",
        "due_at",
        "created_at",
    ]
    assert len(rows) == 1
    assert rows[0][:6] == ["てんき", "tenki", "weather, the sky", "いい てんき ですね。", "japanese", "new"]


def test_csv_export_neutralises_formulas(auth_client, user):
    VocabularyItemFactory(user=user, phrase='=HYPERLINK("http://evil")', translation="+1+2", reading="-3")
    VocabularyItemFactory(user=user, phrase="@SUM(A1)", translation="safe = fine", context_sentence="\t=1")
    rows = _csv_rows(auth_client.get("/api/v1/vocabulary/export"))[1:]
    cells = [cell for row in rows for cell in row[:5]]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "safe = fine" in cells


def test_anki_export_is_a_deck_of_the_learners_items(auth_client, user, foreign_item):
    VocabularyItemFactory(user=user, phrase="<b>ねこ</b>", translation="cat")
    response = auth_client.get("/api/v1/vocabulary/export?format=anki")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="parley-vocabulary.apkg"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as apkg, tempfile.NamedTemporaryFile(suffix=".anki2") as db:
        db.write(apkg.read("collection.anki2"))
        db.flush()
        notes = sqlite3.connect(db.name).execute("select flds from notes").fetchall()
    assert [row[0].split("\x1f")[:3] for row in notes] == [["&lt;b&gt;ねこ&lt;/b&gt;", "", "cat"]]


def test_export_refuses_an_unknown_format(auth_client):
    response = auth_client.get("/api/v1/vocabulary/export?format=xlsx")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "format" in response.json()["fields"]


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [
        ("get", "", None),
        ("patch", "", {"mastery": "mastered"}),
        ("delete", "", None),
        ("post", "/review", {"rating": 3}),
    ],
)
def test_another_users_item_is_404(auth_client, foreign_item, method, suffix, payload):
    response = getattr(auth_client, method)(f"/api/v1/vocabulary/{foreign_item.id}{suffix}", payload, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "vocabulary_not_found"
    foreign_item.refresh_from_db()
    assert (foreign_item.mastery, foreign_item.review_logs.count()) == ("new", 0)


def test_an_unknown_id_is_404(auth_client):
    assert auth_client.get("/api/v1/vocabulary/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/vocabulary"),
        ("post", "/api/v1/vocabulary"),
        ("get", "/api/v1/vocabulary/review"),
        ("get", "/api/v1/vocabulary/export?format=csv"),
        ("get", "/api/v1/vocabulary/00000000-0000-0000-0000-000000000000"),
        ("post", "/api/v1/vocabulary/00000000-0000-0000-0000-000000000000/review"),
    ],
)
def test_without_a_token_it_is_401(api_client, method, path):
    response = getattr(api_client, method)(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
