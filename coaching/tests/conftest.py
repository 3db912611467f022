import pytest

from conversations.services.sessions import session_start

ANSWERS = [
    "In my last role the situation was a payments outage. My task was to restore service within an hour.",
    "First I gathered the team, then I led the rollback because the new release caused it.",
    "As a result we restored service in 40 minutes and cut repeat incidents by 30% that quarter.",
]


@pytest.fixture
def settings_offline(settings):
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []
    return settings


def practice(auth_client, *, mode="interview", answers=ANSWERS, **start) -> str:
    """Start a session through the API and answer `answers`; the session's id."""
    body = {"mode": mode, "language": "english", "level": "intermediate", **start}
    response = auth_client.post("/api/v1/sessions", body, format="json")
    assert response.status_code == 201, response.content
    session_id = response.json()["session_id"]
    for answer in answers:
        turn = auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": answer}, format="json")
        assert turn.status_code == 201, turn.content
    return session_id


@pytest.fixture
def interview_session(user):
    return session_start(user=user, mode="interview", language="english", level="intermediate")
