"""Replies through outages: a dead process's reply is noticed by its lease, Redis and database blips."""

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings as django_settings
from django.db import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from conversations.exceptions import TurnInProgress
from conversations.models import Message, MessageState
from conversations.services import replies
from conversations.services.leases import lease_held, lease_release
from conversations.services.presence import heartbeats, online_ids
from conversations.services.sessions import turn_submit
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]

CLOSED_PORT_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing listens, connections are refused


@pytest.fixture
def session(user):
    return practice_session(user=user)


async def dead_turn(session, client_id: str):
    """A turn whose reply task died with its process: `streaming`, and its lease lapsed."""
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはん", client_id=client_id)
    lease_release(message_id=turn.ai_message.id)
    return turn


async def test_a_placeholder_holds_a_lease_until_its_task_is_gone(user, session, settings):
    settings.REPLY_LEASE_SECONDS = 1
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはんを たべます。", client_id="l1")

    held_at_first = lease_held(message_id=turn.ai_message.id)
    await asyncio.sleep(1.3)

    assert held_at_first
    assert not lease_held(message_id=turn.ai_message.id)


async def test_a_turn_waits_for_a_live_reply_but_not_for_a_dead_one(user, session):
    live = await database_sync_to_async(turn_submit)(session=session, content="ひとつめ", client_id="live")
    with pytest.raises(TurnInProgress):
        await database_sync_to_async(turn_submit)(session=session, content="ふたつめ", client_id="early")
    lease_release(message_id=live.ai_message.id)

    second = await database_sync_to_async(turn_submit)(session=session, content="ふたつめ", client_id="later")

    assert second.created
    first_reply = await database_sync_to_async(Message.objects.get)(id=live.ai_message.id)
    assert first_reply.state == MessageState.FAILED


async def test_sync_reports_a_dead_reply_and_a_resend_gets_a_new_one(user, session):
    turn = await dead_turn(session, "dead-1")
    socket = await open_socket(user)

    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    replay = await frames_until(socket, "synced")
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ごはん", "client_id": "dead-1"}
    )
    retry = await frames_until(socket, "ai.message")
    await drain(socket)
    await socket.disconnect()

    failed = [f for f in replay if f["type"] == "message" and f["message"]["id"] == str(turn.ai_message.id)]
    assert failed and failed[0]["message"]["state"] == "failed"
    errors = [f for f in replay if f["type"] == "error"]
    assert errors == [
        {
            "type": "error",
            "code": "ai_unavailable",
            "message": errors[0]["message"],
            "session_id": str(session.id),
            "message_id": str(turn.ai_message.id),
        }
    ]
    assert retry[0] == {**retry[0], "type": "ack", "client_id": "dead-1", "seq": turn.user_message.seq}
    assert retry[-1]["message"]["state"] == "complete"
    stored = await database_sync_to_async(lambda: list(session.conversation.messages.filter(client_id="dead-1")))()
    assert len(stored) == 1


async def test_a_resumed_stream_whose_process_dies_is_reported_within_the_lease(user, session, settings):
    settings.REPLY_LEASE_SECONDS = 1
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはんを たべます。", client_id="w1")
    socket = await open_socket(user)

    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    replay = await frames_until(socket, "synced")
    # nobody renews the lease: the task that would have written the reply is gone
    *failed, error = await frames_until(socket, "error", timeout=3)
    await socket.disconnect()

    snapshot = [f for f in replay if f["type"] == "ai.delta"]
    assert snapshot and snapshot[0]["snapshot"] is True
    assert [f["message"]["state"] for f in failed] == ["failed"]
    assert error == {**error, "type": "error", "code": "ai_unavailable", "message_id": str(turn.ai_message.id)}
    reply = await database_sync_to_async(Message.objects.get)(id=turn.ai_message.id)
    assert reply.state == MessageState.FAILED


async def test_a_resumed_stream_that_finishes_is_not_reported(user, session, settings):
    settings.REPLY_LEASE_SECONDS = 1
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはんを たべます。", client_id="w2")
    socket = await open_socket(user)
    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    await frames_until(socket, "synced")

    await replies.reply_generate(
        session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id
    )
    frames = await frames_until(socket, "ai.message")
    await asyncio.sleep(2 * settings.REPLY_LEASE_SECONDS)  # the watch would have seen a lapsed lease by now
    while not await socket.receive_nothing(timeout=0.3):
        frames.append(await socket.receive_json_from())
    await socket.disconnect()

    assert [f["message"]["state"] for f in frames if f["type"] == "ai.message"] == ["complete"]
    assert not [f for f in frames if f["type"] in ("error", "message")]


async def test_a_reply_is_stored_complete_while_the_channel_layer_is_down(user, session, settings):
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはんを たべます。", client_id="r1")
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [CLOSED_PORT_REDIS]}}
    }

    outcome = await replies.reply_generate(
        session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id
    )

    reply = await database_sync_to_async(Message.objects.get)(id=turn.ai_message.id)
    assert outcome.message is not None and outcome.error is None
    assert reply.state == MessageState.COMPLETE and reply.content == outcome.message.content != ""


async def test_storing_a_reply_is_retried_while_the_database_is_unreachable(settings):
    settings.REPLY_STORE_RETRY_SECONDS = 5
    calls = []

    async def flaky(value):
        calls.append(value)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return value

    assert await replies._stored(flaky, "stored") == "stored"
    assert len(calls) == 3


async def test_storing_a_reply_gives_up_after_its_deadline(settings):
    settings.REPLY_STORE_RETRY_SECONDS = 0.3

    async def down():
        raise OperationalError("could not connect to server")

    with pytest.raises(OperationalError):
        await replies._stored(down)


async def test_a_resend_while_the_reply_is_written_gets_the_reply_so_far(user, session):
    turn = await database_sync_to_async(turn_submit)(session=session, content="ごはん", client_id="busy")
    socket = await open_socket(user)

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ごはん", "client_id": "busy"}
    )
    ack = await socket.receive_json_from()
    snapshot = await socket.receive_json_from()
    await socket.disconnect()

    assert ack == {**ack, "type": "ack", "message_id": str(turn.user_message.id)}
    assert snapshot == {**snapshot, "type": "ai.delta", "message_id": str(turn.ai_message.id), "snapshot": True}


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the channel layer is in memory")
async def test_an_idle_socket_fails_when_its_process_loses_redis(user, settings, monkeypatch):
    # so daphne closes it (1011) and its client reconnects and joins its group again
    name = f"test-outage-{uuid.uuid4().hex[:8]}"
    layer = settings.CHANNEL_LAYERS["default"]
    (host,) = layer["CONFIG"]["hosts"]
    settings.CHANNEL_LAYERS = {
        "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [{**host, "client_name": name}]}}
    }
    socket = await open_socket(user)
    redis = get_channel_layer().connection(0)
    blocked = []
    while not blocked:  # the process's pop, waiting for the next message
        blocked = [
            client["id"]
            for client in await redis.client_list()
            if client["name"] == name and client["cmd"] == "bzpopmin"
        ]
        await asyncio.sleep(0.01)

    assert await database_sync_to_async(online_ids)(user_ids=[user.id]) == {str(user.id)}

    await redis.client_kill_filter(_id=blocked[0])

    with pytest.raises(RedisConnectionError):
        await socket.receive_output(timeout=3)

    # and the failed socket is counted out: its user does not stay online until the process restarts
    assert user.id not in heartbeats.sockets.values()
    assert await database_sync_to_async(online_ids)(user_ids=[user.id]) == set()
