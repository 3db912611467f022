"""A socket always learns how its reply ended: a frame lost in the channel layer, a database fault
while the reply is stored, and one while the socket watches a resumed stream."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from redis.exceptions import ConnectionError as RedisConnectionError

from conversations.models import Message, MessageState
from conversations.services.sessions import turn_submit
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]


class LayerDroppingOneReply(InMemoryChannelLayer):
    """The in-memory layer, except that the first send of a finished reply fails as Redis does when
    its connection was closed under it."""

    dropped: list[dict] = []

    async def group_send(self, group, message):
        payloads = message.get("payloads") or [message.get("payload") or {}]
        if any(payload.get("type") == "ai.message" for payload in payloads) and not self.dropped:
            self.dropped.extend(payloads)
            raise RedisConnectionError("Connection closed by server.")
        await super().group_send(group, message)


@pytest.fixture
def session(user):
    return practice_session(user=user)


@pytest.fixture
def database_fault(monkeypatch):
    """The database failing the statements `fails(sql)` picks, as a restarting PostgreSQL does."""
    original = CursorWrapper._execute_with_wrappers
    picks = []

    def execute(self, sql, params, many, executor):
        if any(fails(sql) for fails in picks):
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, sql, params, many, executor)

    monkeypatch.setattr(CursorWrapper, "_execute_with_wrappers", execute)
    return picks


def turn(session, client_id: str) -> dict:
    content = "ごはんを たべます。"
    return {"type": "user_message", "session_id": str(session.id), "content": content, "client_id": client_id}


async def test_a_reply_whose_frame_the_channel_layer_lost_still_reaches_the_socket(user, session, settings):
    LayerDroppingOneReply.dropped = []
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.LayerDroppingOneReply"}}
    socket = await open_socket(user)

    await socket.send_json_to(turn(session, "lost-1"))
    ack = await socket.receive_json_from()
    reply = (await frames_until(socket, "ai.message"))[-1]
    await drain(socket)
    await socket.disconnect()

    assert LayerDroppingOneReply.dropped, "the layer never dropped the reply's frame"
    stored = await database_sync_to_async(Message.objects.get)(id=reply["message"]["id"])
    assert reply == {"type": "ai.message", "session_id": str(session.id), "message": reply["message"]}
    assert stored.state == MessageState.COMPLETE and reply["message"]["content"] == stored.content
    assert stored.seq == ack["seq"] + 1


async def test_a_reply_the_database_cannot_store_ends_with_an_error(user, session, settings, database_fault):
    settings.REPLY_STORE_RETRY_SECONDS = 0.3
    socket = await open_socket(user)
    await socket.send_json_to(turn(session, "down-1"))
    await socket.receive_json_from()  # ack: the turn is stored
    # From now on every change to a message fails (storing the reply, then marking it failed).
    database_fault.append(lambda sql: sql.startswith('UPDATE "conversations_message"'))

    frames = await frames_until(socket, "error", timeout=10)
    database_fault.clear()
    await socket.disconnect()

    error = frames[-1]
    assert error["code"] == "ai_unavailable" and error["session_id"] == str(session.id)
    assert not [f for f in frames if f["type"] == "ai.message"]
    reply = await database_sync_to_async(Message.objects.get)(id=error["message_id"])
    assert reply.role == "assistant"


async def test_a_database_error_while_watching_a_resumed_stream_ends_it_with_an_error(
    user, session, settings, database_fault
):
    settings.REPLY_LEASE_SECONDS = 1
    stranded = await database_sync_to_async(turn_submit)(session=session, content="ごはん", client_id="watch-1")
    socket = await open_socket(user)
    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    await frames_until(socket, "synced")
    # The lease lapses (nobody writes this reply) while the database is unreachable.
    database_fault.append(lambda sql: 'FROM "conversations_message"' in sql or 'UPDATE "conversations_message"' in sql)

    error = (await frames_until(socket, "error", timeout=10))[-1]
    database_fault.clear()
    await socket.disconnect()

    assert error == {**error, "code": "ai_unavailable", "message_id": str(stranded.ai_message.id)}
