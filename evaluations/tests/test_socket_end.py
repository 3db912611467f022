"""A session ended over the socket is evaluated as the REST end does it, once."""

import pytest
from channels.db import database_sync_to_async

from conversations.models import PracticeSession, SessionStatus
from conversations.tests.test_sessions_socket import open_socket
from evaluations.models import Evaluation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ANSWERS = [
    "In my last role the situation was a payments outage. My task was to restore service within an hour.",
    "First I gathered the team, then I led the rollback because the new release caused it.",
    "As a result we restored service in 40 minutes and cut repeat incidents by 30% that quarter.",
]


@pytest.fixture(autouse=True)
def offline_partner(settings):
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []


def _answered_session(auth_client, answers) -> str:
    started = auth_client.post("/api/v1/sessions", {"mode": "interview", "language": "english",
                                                    "level": "intermediate"}, format="json")  # fmt: skip
    session_id = started.json()["session_id"]
    for answer in answers:
        assert auth_client.post(f"/api/v1/sessions/{session_id}/messages", {"message": answer},
                                format="json").status_code == 201  # fmt: skip
    return session_id


async def _ended(socket, session_id) -> dict:
    await socket.send_json_to({"type": "end_session", "session_id": session_id})
    while True:
        frame = await socket.receive_json_from(timeout=10)
        if frame["type"] in ("session.ended", "error"):
            return frame


async def test_ending_over_the_socket_evaluates_the_session_once(auth_client, user):
    session_id = await database_sync_to_async(_answered_session)(auth_client, ANSWERS)
    socket = await open_socket(user)

    first = await _ended(socket, session_id)
    again = await _ended(socket, session_id)

    evaluation = await database_sync_to_async(Evaluation.objects.get)(session_id=session_id)
    assert first == {"type": "session.ended", "session_id": session_id, "status": "completed",
                     "evaluation_id": str(evaluation.id)}  # fmt: skip
    assert again["evaluation_id"] == str(evaluation.id)
    session = await database_sync_to_async(PracticeSession.objects.get)(id=session_id)
    assert session.status == SessionStatus.COMPLETED and session.ended_at is not None
    await socket.disconnect()


async def test_a_short_session_ended_over_the_socket_says_why_it_has_no_evaluation(auth_client, user):
    session_id = await database_sync_to_async(_answered_session)(auth_client, ANSWERS[:1])
    socket = await open_socket(user)

    frame = await _ended(socket, session_id)

    assert frame["evaluation_id"] is None and frame["reason"] == "too_few_turns"
    await socket.disconnect()


async def test_another_users_session_cannot_be_ended_over_the_socket(auth_client, user, other_user):
    session_id = await database_sync_to_async(_answered_session)(auth_client, ANSWERS[:1])
    socket = await open_socket(other_user)

    frame = await _ended(socket, session_id)

    assert frame["type"] == "error" and frame["code"] == "not_found" and frame["session_id"] == session_id
    session = await database_sync_to_async(PracticeSession.objects.get)(id=session_id)
    assert session.status == SessionStatus.IN_PROGRESS
    await socket.disconnect()
