"""A reply's way to the tabs: deltas that come with the reply's end go out with the stored reply,
storing it drops its lease and its snapshot in one cache command, and a channel layer refusing
every send costs the tabs their frames, never the reply."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

import ai
from ai.models import AIInteraction
from conversations.models import Message, MessageState
from conversations.services import leases, replies
from conversations.services.leases import lease_held
from conversations.services.sessions import turn_submit
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]

PIECES = ["はい、", "そうです。"]


@pytest.fixture
def session(user):
    return practice_session(user=user)


def provider(pieces: list[str] = PIECES, *, pause: float = 0, pause_before: int | None = None):
    """The partner's reply in `pieces`, then its end: at once, or with a pause of `pause` seconds
    before the piece at `pause_before` (after the last piece when None)."""

    async def reply_stream(*, user, conversation, request, audit=None):
        for index, piece in enumerate(pieces):
            if pause and index == pause_before:
                await asyncio.sleep(pause)
            yield ai.Delta(index=index, text=piece)
        if pause and pause_before is None:
            await asyncio.sleep(pause)
        yield ai.ReplyResult(
            text="".join(pieces),
            provider="offline",
            model="offline",
            tokens_in=1,
            tokens_out=2,
            latency_ms=0,
            fallback=False,
            offline=True,
            interaction_id=None,
        )

    return reply_stream


async def turn_frames(user, session, client_id: str) -> list[dict]:
    """A learner's turn over a socket: the frames it gets up to the stored reply."""
    socket = await open_socket(user)
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ほんとう？", "client_id": client_id}
    )
    frames = await frames_until(socket, "ai.message")
    await drain(socket)
    await socket.disconnect()
    return frames


@pytest.fixture
def layer_messages(monkeypatch):
    """The frames of each channel-layer message sent to a user's group."""
    channel_layers.backends.clear()
    layer = get_channel_layer()
    sent = []
    # the Redis layer sends to several groups at once (config.channel_layer), the in-memory one to each
    name = "group_send_many" if hasattr(layer, "group_send_many") else "group_send"
    send = getattr(layer, name)

    async def counting(groups, message):
        sent.append([p["type"] for p in message.get("payloads", [message.get("payload", {})])])
        await send(groups, message)

    monkeypatch.setattr(layer, name, counting)
    yield sent
    channel_layers.backends.clear()


@pytest.fixture
def snapshots(monkeypatch):
    written = []
    real = replies._snapshot_write

    async def recording(key, value, timeout):
        written.append(value)
        await real(key, value, timeout)

    monkeypatch.setattr(replies, "_snapshot_write", recording)
    return written


async def test_a_turn_answered_at_once_reaches_the_tabs_in_one_message_with_one_delta_and_no_snapshot(
    user, session, monkeypatch, layer_messages, snapshots
):
    monkeypatch.setattr(ai, "reply_stream", provider())
    frames = await turn_frames(user, session, "whole")

    assert [f["type"] for f in frames] == ["ack", "message", "ai.typing", "ai.delta", "ai.message"]
    assert frames[3]["index"] == 0
    assert frames[3]["delta"] == "".join(PIECES) == frames[-1]["message"]["content"]
    assert layer_messages == [["message", "ai.typing", "ai.delta", "ai.message"], ["mistakes"]]
    assert snapshots == []


async def test_the_turn_and_the_typing_go_out_before_a_provider_that_is_slow_to_start_has_written_anything(
    user, session, monkeypatch, layer_messages
):
    started = asyncio.Event()
    seen_before_first_piece = []

    async def reply_stream(*, user, conversation, request, audit=None):
        started.set()
        await asyncio.sleep(0.2)
        seen_before_first_piece.extend(layer_messages)
        async for item in provider()(user=user, conversation=conversation, request=request, audit=audit):
            yield item

    monkeypatch.setattr(ai, "reply_stream", reply_stream)
    frames = await turn_frames(user, session, "slow-start")

    assert started.is_set()
    assert seen_before_first_piece == [["message", "ai.typing"]]
    assert [f["type"] for f in frames] == ["ack", "message", "ai.typing", "ai.delta", "ai.message"]


async def test_the_deltas_left_when_a_stream_ends_follow_the_ones_sent_as_one_delta_with_the_next_index(
    user, session, monkeypatch, layer_messages
):
    monkeypatch.setattr(ai, "reply_stream", provider(["はい、", "そう", "です。"], pause=0.05, pause_before=1))
    frames = await turn_frames(user, session, "tail")

    deltas = [(f["index"], f["delta"]) for f in frames if f["type"] == "ai.delta"]
    assert deltas == [(0, "はい、"), (1, "そうです。")]
    assert ["ai.delta", "ai.message"] in layer_messages


async def test_a_reply_streamed_before_its_end_sends_its_deltas_first_with_a_snapshot(
    user, session, monkeypatch, layer_messages, snapshots
):
    monkeypatch.setattr(ai, "reply_stream", provider(pause=0.05))
    frames = await turn_frames(user, session, "slow")

    assert [f["type"] for f in frames][3:] == ["ai.delta", "ai.delta", "ai.message"]
    assert ["ai.message"] in layer_messages
    assert snapshots and snapshots[-1] == {"text": "".join(PIECES), "index": 1}


async def test_storing_a_reply_drops_its_lease_and_its_snapshot_in_one_cache_command(user, session, monkeypatch):
    monkeypatch.setattr(ai, "reply_stream", provider(pause=0.05))
    turn = await database_sync_to_async(turn_submit)(session=session, content="ほんとう？", client_id="once")
    deletes = []

    class Recording:
        def __getattr__(self, name):
            method = getattr(cache, name)
            if name.startswith("delete"):
                return lambda *args, **kwargs: deletes.append((name, *args)) or method(*args, **kwargs)
            return method

    monkeypatch.setattr(leases, "cache", Recording())

    await replies.reply_generate(
        session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id, plan=turn.plan
    )

    stream_key = replies._STREAM_KEY.format(turn.ai_message.id)
    assert deletes == [("delete_many", [leases._KEY.format(turn.ai_message.id), stream_key])]
    assert not lease_held(message_id=turn.ai_message.id) and replies.stream_state(message_id=turn.ai_message.id) is None


async def test_a_turn_is_answered_and_stored_while_the_channel_layer_refuses_every_send(user, session, monkeypatch):
    channel_layers.backends.clear()
    socket = await open_socket(user)
    layer = get_channel_layer()

    async def refused(*args, **kwargs):
        raise RedisConnectionError("Connection refused")

    for name in ("group_send", "group_send_many"):
        monkeypatch.setattr(layer, name, refused, raising=False)

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ごはんを たべます。", "client_id": "down"}
    )
    ack = await socket.receive_json_from(timeout=5)
    while replies._background:
        await asyncio.wait(list(replies._background))
    await socket.disconnect()
    channel_layers.backends.clear()

    assert ack["type"] == "ack"
    reply = await database_sync_to_async(
        lambda: Message.objects.filter(conversation_id=session.conversation_id).order_by("-seq").first()
    )()
    assert reply.role == "assistant" and reply.state == MessageState.COMPLETE and reply.content


async def test_a_stored_reply_names_the_audit_row_written_with_it(user, session):
    turn = await database_sync_to_async(turn_submit)(session=session, content="ほんとう？", client_id="audit")

    outcome = await replies.reply_generate(
        session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id, plan=turn.plan
    )

    row = await database_sync_to_async(AIInteraction.objects.filter(purpose="reply").latest)("id")
    assert outcome.message.meta["interaction_id"] == row.id
    assert row.response == outcome.message.content and row.conversation_id == session.conversation_id
