"""Practice turns, regenerates and edits over the socket count against the same per-user send budget as messages."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from conversations.models import Message, MessageRole
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]


@pytest.fixture
def session(user):
    return practice_session(user=user)


async def test_a_flood_of_practice_turns_is_throttled(user, session, settings):
    settings.MESSAGE_RATE = "3/3600s"
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


async def test_regenerates_and_edits_count_against_the_same_budget(user, session, settings):
    # given a learner allowed two sends in the window (an hour: the test never straddles two), who
    # spent one on a turn
    settings.MESSAGE_RATE = "2/3600s"
    socket = await open_socket(user)
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "t1"}
    )
    turn = (await frames_until(socket, "ack", timeout=20))[-1]
    await frames_until(socket, "ai.message", timeout=20)
    await drain(socket)
    # when they ask for the reply again twice, then edit their turn
    for client_id in ("g1", "g2"):
        await socket.send_json_to({"type": "regenerate", "session_id": str(session.id), "client_id": client_id})
        await frames_until(socket, "ai.message" if client_id == "g1" else "error", timeout=20)
        await drain(socket)
    await socket.send_json_to(
        {
            "type": "edit",
            "session_id": str(session.id),
            "message_id": turn["message_id"],
            "content": "こんばんは",
            "client_id": "e1",
        }
    )
    refused = (await frames_until(socket, "error", timeout=20))[-1]
    # then the second regenerate and the edit were refused (the offline partner has no limit of its own)
    assert (refused["type"], refused["code"], refused["client_id"]) == ("error", "throttled", "e1")
    replies = await database_sync_to_async(
        lambda: list(Message.objects.filter(seq__gt=turn["seq"]).order_by("seq").values_list("state", flat=True))
    )()
    assert replies == ["superseded", "complete"]
    await socket.disconnect()


async def test_a_regenerate_over_the_budget_on_rest_waits_whole_seconds(user, session, settings):
    settings.MESSAGE_RATE = "1/3600s"
    client = Client()
    await database_sync_to_async(client.force_login)(user)
    base = f"/api/v1/sessions/{session.id}"

    def post(path, body=None):
        return client.post(path, json.dumps(body or {}), content_type="application/json")

    turn = await database_sync_to_async(post)(f"{base}/messages", {"message": "こんにちは", "client_id": "r1"})
    again = await database_sync_to_async(post)(f"{base}/regenerate")
    refused = await database_sync_to_async(post)(f"{base}/regenerate")

    assert (turn.status_code, again.status_code) == (201, 200), again.content
    assert (refused.status_code, refused.json()["code"]) == (429, "throttled")
    assert refused["Retry-After"].isdigit() and 1 <= int(refused["Retry-After"]) <= 3600
