import pytest

from coaching.advice import AdviceOut, AdviceRequest, advice_score, model_score, text_normalise
from coaching.tests.conftest import practice

# The REST turns run the gateway through async_to_sync; on PostgreSQL that needs committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def test_advice_is_scored_and_sorted_best_first(auth_client, user):
    body = {"text": "um we basically fixed the outage I think", "goal": "get the senior role"}

    response = auth_client.post("/api/v1/coach/advice", body, format="json")

    assert response.status_code == 200, response.content
    items = response.json()
    assert 1 <= len(items) <= 5
    assert all(0 <= item["score"] <= 1 and item["advice"] for item in items)
    assert [item["score"] for item in items] == sorted((item["score"] for item in items), reverse=True)
    assert any("filler" in item["advice"] for item in items)
    assert all(item["source"] == "offline" for item in items)


def test_advice_reads_the_session_when_given(auth_client, user):
    session_id = practice(auth_client)

    response = auth_client.post("/api/v1/coach/advice", {"text": "My answer", "session_id": session_id}, format="json")

    assert response.status_code == 200, response.content


def test_advice_validates_input_and_ownership(auth_client, user, other_user):
    from conversations.services.sessions import session_start

    theirs = session_start(user=other_user, mode="interview", language="english", level="intermediate")

    assert auth_client.post("/api/v1/coach/advice", {"text": " \x00\n "}, format="json").status_code == 400
    assert auth_client.post("/api/v1/coach/advice", {}, format="json").status_code == 400
    other = auth_client.post("/api/v1/coach/advice", {"text": "hi", "session_id": str(theirs.id)}, format="json")
    assert other.status_code == 404


def test_text_is_normalised():
    assert text_normalise("  Ｈｅｌｌｏ\x07   world \n\n\n next  ") == "Hello world\nnext"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(0.7, 0.7), ("0.25", 0.25), (85, 0.85), (-3, 0.0), (250, 1.0), ("high", None), (None, None), (float("nan"), None)],
)
def test_model_scores_are_clamped_read_as_percentages_or_ignored(raw, expected):
    assert model_score(raw) == expected


def test_blank_duplicate_and_bare_string_advice_is_cleaned():
    request = AdviceRequest(text="the outage answer", goal="")
    out = AdviceOut(advice=["Describe the outage answer with numbers.", {"advice": "  "},
                            {"advice": "describe the outage answer with numbers.", "score": 1}])  # fmt: skip

    items = advice_score(out, request)

    assert [item["advice"] for item in items] == ["Describe the outage answer with numbers."]


def test_an_empty_list_gives_no_advice():
    assert advice_score(AdviceOut(advice=[]), AdviceRequest(text="x")) == []
