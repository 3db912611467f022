"""A refused turn on REST names the field the client sent, `message` (API.md)."""

import pytest

from conversations.tests.factories import practice_session

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["a\x07b", "x" * 10_001])
def test_a_bad_turn_names_the_message_field(auth_client, user, text):
    session = practice_session(user=user)

    response = auth_client.post(f"/api/v1/sessions/{session.id}/messages", {"message": text}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"message"}
