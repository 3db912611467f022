"""Practice turns over the socket count against the same per-user send budget as messages."""

import pytest

from conversations.models import Message, MessageRole
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]


@pytest.fixture
def session(user):
    return practice_session(user=user)


async def test_a_flood_of_practice_turns_is_throttled(user, session, settings):
    settings.MESSAGE_RATE = "3/10s"
    socket = await open_socket(user)

    for n in range(8):
        await socket.send_json_to(
            {"type": "user_message", "session_id": str(session.id), "content": f"こんにちは {n}", "client_id": f"f{n}"}
        )
    throttled = []
    while len(throttled) < 5:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "error" and frame["code"] == "throttled":
            throttled.append(frame["client_id"])

    assert throttled == ["f3", "f4", "f5", "f6", "f7"]
    assert await Message.objects.filter(role=MessageRole.USER).acount() <= 3
    await socket.disconnect()
