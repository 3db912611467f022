"""Language aids over the API: annotate (furigana + romaji), the dictionary, reading corrections and settings."""

import pytest
from rest_framework.test import APIClient

from vocabulary.models import ReadingCorrection, VocabularyItem

pytestmark = pytest.mark.django_db


def _annotate(client, text: str):
    return client.post("/api/v1/annotate", {"text": text, "language": "japanese"}, format="json")


def _ruby(body: dict) -> list[tuple[str, str | None]]:
    return [(segment["text"], segment.get("reading")) for segment in body["segments"]]


def test_annotate_puts_the_reading_over_the_kanji_only(auth_client):
    response = _annotate(auth_client, "食べます")
    assert response.status_code == 200
    body = response.json()
    assert _ruby(body) == [("食", "た"), ("べ", None), ("ます", None)]
    assert body["romaji"] == "Tabemasu"


def test_annotate_segments_join_back_into_the_text_and_words_give_dictionary_forms(auth_client):
    text = "きのう 東京へ行って、友達と 映画を見ました。 OK?"
    body = _annotate(auth_client, text).json()
    assert "".join(segment["text"] for segment in body["segments"]) == text
    assert all("reading" not in segment for segment in body["segments"] if segment["text"] in "へ、とをまし")
    assert ("東", "とう") in _ruby(body) and ("京", "きょう") in _ruby(body)
    bases = {word["text"]: word["base"] for word in body["words"]}
    assert bases["行っ"] == "行く"
    assert bases["見"] == "見る"
    assert body["romaji"] == "Kinō Tōkyō e itte, tomodachi to eiga o mimashita. OK?"


@pytest.mark.parametrize(
    ("text", "ruby", "romaji"),
    [
        ("羽田空港", ("羽田空港", "はねだくうこう"), "Hanedakūkō"),  # unidic-lite reads はた
        ("今日は", ("今日", "きょう"), "Kyō wa"),
        ("大人です", ("大人", "おとな"), "Otona desu"),
        ("私は学生です", ("私", "わたし"), "Watashi wa gakusei desu"),
    ],
)
def test_annotate_reads_special_words_right(auth_client, text, ruby, romaji):
    body = _annotate(auth_client, text).json()
    assert ruby in _ruby(body) or "".join(r or "" for t, r in _ruby(body) if t in ruby[0]) == ruby[1]
    assert body["romaji"] == romaji


def test_a_learners_reading_correction_is_applied_to_them_only(auth_client, other_user):
    # when the learner says 今日 in their text reads こんにち (written in katakana)
    created = auth_client.post(
        "/api/v1/readings/corrections", {"word": "今日", "reading": "コンニチ", "language": "japanese"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["reading"] == "こんにち"
    # then their annotations use it, and another learner's do not
    assert _ruby(_annotate(auth_client, "今日の日本").json())[:2] == [("今", "こん"), ("日", "にち")]
    other = APIClient()
    other.force_authenticate(other_user)
    assert ("今日", "きょう") in _ruby(_annotate(other, "今日の日本").json())
    # and correcting again replaces the reading
    auth_client.post(
        "/api/v1/readings/corrections", {"word": "今日", "reading": "きょう", "language": "japanese"}, format="json"
    )
    assert list(ReadingCorrection.objects.values_list("word", "reading")) == [("今日", "きょう")]
    listed = auth_client.get("/api/v1/readings/corrections").json()
    assert [(c["word"], c["reading"]) for c in listed] == [("今日", "きょう")]


def test_deleting_a_correction_is_404_for_another_learner(auth_client, other_user):
    correction_id = auth_client.post(
        "/api/v1/readings/corrections", {"word": "生", "reading": "なま", "language": "japanese"}, format="json"
    ).json()["id"]
    other = APIClient()
    other.force_authenticate(other_user)
    assert other.delete(f"/api/v1/readings/corrections/{correction_id}").status_code == 404
    assert auth_client.delete(f"/api/v1/readings/corrections/{correction_id}").status_code == 204
    assert not ReadingCorrection.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"word": "生", "reading": "nama", "language": "japanese"},
        {"word": "生", "reading": "", "language": "japanese"},
        {"word": "", "reading": "なま", "language": "japanese"},
        {"word": "生", "reading": "なま", "language": "spanish"},
        {"word": "生" * 51, "reading": "なま", "language": "japanese"},
        {"word": 5, "reading": "なま", "language": "japanese"},
    ],
)
def test_a_bad_correction_is_400_in_the_envelope(auth_client, body):
    response = auth_client.post("/api/v1/readings/corrections", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "code"}
    assert not ReadingCorrection.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"text": "食べます", "language": "spanish"},
        {"text": "食べます"},
        {"language": "japanese"},
        {"text": 42, "language": "japanese"},
        {"text": "あ" * 5001, "language": "japanese"},
    ],
)
def test_annotate_bad_input_is_400_in_the_envelope(auth_client, body):
    response = auth_client.post("/api/v1/annotate", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "code", "fields"}


def test_annotate_a_lone_surrogate_is_400(auth_client):
    body = '{"text": "\\u98df\\ud800", "language": "japanese"}'
    response = auth_client.post("/api/v1/annotate", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["fields"]["text"]


def test_annotate_odd_text_never_fails(auth_client):
    for text in ["", "   ", "\x07\t", "😀 emoji", "abc", "ｶﾀｶﾅ ﾃｽﾄ", "々々", "ー"]:
        response = _annotate(auth_client, text)
        assert response.status_code == 200, text
        assert "".join(segment["text"] for segment in response.json()["segments"]) == text


def test_the_dictionary_finds_a_conjugated_form_and_an_english_gloss(auth_client):
    body = auth_client.get("/api/v1/dictionary", {"q": "食べました", "language": "japanese"}).json()
    first = body["entries"][0]
    assert (first["word"], first["reading"], first["glosses"][0]) == ("食べる", "たべる", "to eat")
    assert "ichidan verb" in first["pos"]
    english = auth_client.get("/api/v1/dictionary/", {"q": "cat", "language": "japanese", "limit": 3}).json()
    assert [entry["word"] for entry in english["entries"]][:1] == ["猫"]
    assert len(english["entries"]) == 3


@pytest.mark.parametrize(
    ("q", "nucleus", "line", "next_high"),
    [
        ("箸", 1, "HL", False),  # chopsticks fall after the first mora
        ("橋", 2, "LH", False),  # a bridge falls onto the particle: はしが is low-high-low
        ("東京", 0, "LHHH", True),  # flat: the particle stays high
        ("食べる", 2, "LHL", False),
    ],
)
def test_dictionary_entries_carry_their_pitch_accent(auth_client, q, nucleus, line, next_high):
    first = auth_client.get("/api/v1/dictionary", {"q": q, "language": "japanese"}).json()["entries"][0]
    accent = first["accent"]
    assert first["word"] == q
    assert accent["nucleus"] == nucleus
    assert "".join("H" if mora["high"] else "L" for mora in accent["morae"]) == line
    assert "".join(mora["kana"] for mora in accent["morae"]) == first["reading"]
    assert accent["next_high"] is next_high


@pytest.mark.parametrize(
    "query",
    [
        {"language": "japanese"},
        {"q": "", "language": "japanese"},
        {"q": "猫", "language": "french"},
        {"q": "猫"},
        {"q": "猫", "language": "japanese", "limit": "0"},
        {"q": "猫", "language": "japanese", "limit": "abc"},
        {"q": "x" * 201, "language": "japanese"},
    ],
)
def test_dictionary_bad_input_is_400(auth_client, query):
    response = auth_client.get("/api/v1/dictionary", query)
    assert response.status_code == 400
    assert set(response.json()) >= {"error", "code", "fields"}


def test_nothing_found_is_an_empty_list(auth_client):
    body = auth_client.get("/api/v1/dictionary", {"q": "qqxyzzy", "language": "japanese"}).json()
    assert body == {"entries": []}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/annotate"),
        ("get", "/api/v1/dictionary?q=猫&language=japanese"),
        ("get", "/api/v1/readings/corrections"),
        ("get", "/api/v1/readings/settings"),
    ],
)
def test_language_aids_need_a_login(method, path):
    response = getattr(APIClient(), method)(path, {"text": "猫", "language": "japanese"}, format="json")
    assert response.status_code == 401


def test_reading_settings_are_remembered_per_learner(auth_client, user, other_user):
    assert auth_client.get("/api/v1/readings/settings").json() == {"furigana": True, "romaji": False}
    changed = auth_client.put("/api/v1/readings/settings", {"romaji": True}, format="json")
    assert changed.json() == {"furigana": True, "romaji": True}
    auth_client.put("/api/v1/readings/settings", {"furigana": False}, format="json")
    assert auth_client.get("/api/v1/readings/settings").json() == {"furigana": False, "romaji": True}
    other = APIClient()
    other.force_authenticate(other_user)
    assert other.get("/api/v1/readings/settings").json() == {"furigana": True, "romaji": False}
    assert auth_client.put("/api/v1/readings/settings", {"romaji": "yes"}, format="json").status_code == 400


def test_a_word_added_without_reading_or_translation_gets_them_from_the_dictionary(auth_client):
    response = auth_client.post("/api/v1/vocabulary", {"phrase": "食べました", "language": "japanese"}, format="json")
    assert response.status_code == 201
    assert (response.json()["reading"], response.json()["translation"]) == ("たべました", "to eat")
    kept = auth_client.post(
        "/api/v1/vocabulary", {"phrase": "駅", "language": "japanese", "translation": "the station"}, format="json"
    ).json()
    assert (kept["reading"], kept["translation"]) == ("えき", "the station")
    phrase = auth_client.post(
        "/api/v1/vocabulary", {"phrase": "駅で友達に会う", "language": "japanese"}, format="json"
    ).json()
    assert phrase["translation"] == ""
    assert VocabularyItem.objects.count() == 3
