"""Messaging between people over the socket: real consumer, real channel layer, real database."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from accounts.models import User
from accounts.services import tokens_for
from config.asgi import application
from conversations import consumers, events
from conversations.models import Conversation, ConversationKind, Membership, Message
from conversations.services import messaging, presence

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def open_socket(user) -> WebsocketCommunicator:
    token = (await database_sync_to_async(tokens_for)(user=user))["token"]
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def next_frame(communicator, kind: str, timeout: float = 2) -> dict:
    """The next frame of this type, skipping the others (presence, receipts...)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def frames(communicator, kind: str, wait: float = 0.3) -> list[dict]:
    """Every frame of this type that arrives within `wait` seconds."""
    found = []
    while not await communicator.receive_nothing(timeout=wait):
        frame = await communicator.receive_json_from()
        if frame["type"] == kind:
            found.append(frame)
    return found


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    # channels_redis binds its locks to the event loop that first used it, and each test has its own loop.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def person(username: str) -> User:
    # No password: hashing one (argon2) would cost more than the test itself.
    return User.objects.create(username=username, email=f"{username}@example.com", password="!")


@pytest.fixture
def alice(db):
    return person("alice")


@pytest.fixture
def bob(db):
    return person("bob")


@pytest.fixture
def carol(db):
    return person("carol")


@pytest.fixture
def group(alice, bob, carol):
    return messaging.group_create(owner=alice, name="Study group", member_ids=[str(bob.id), str(carol.id)])


async def test_a_direct_message_reaches_the_recipient_and_the_sender_gets_an_ack(alice, bob):
    sockets = [await open_socket(alice), await open_socket(bob)]

    await sockets[0].send_json_to({"type": "send_message", "to": str(bob.id), "content": "hi", "client_id": "c1"})
    ack = await next_frame(sockets[0], "ack")
    received = await next_frame(sockets[1], "message")

    message = await Message.objects.select_related("conversation").aget(id=ack["message_id"])
    assert ack == {
        "type": "ack",
        "client_id": "c1",
        "message_id": str(message.id),
        "seq": 1,
        "conversation_id": str(message.conversation_id),
    }
    assert received["message"]["id"] == ack["message_id"]
    assert received["message"]["sender_id"] == str(alice.id)
    assert received["message"]["content"] == "hi"
    assert message.conversation.kind == ConversationKind.DIRECT
    assert message.conversation.last_message_at == message.created_at
    for socket in sockets:
        await socket.disconnect()


async def test_a_group_message_reaches_every_member(alice, bob, carol, group):
    sockets = {user.username: await open_socket(user) for user in (alice, bob, carol)}

    await sockets["bob"].send_json_to({"type": "send_message", "group_id": str(group.id), "content": "hello all"})
    ack = await next_frame(sockets["bob"], "ack")

    for socket in sockets.values():
        received = await next_frame(socket, "message")
        assert received["message"]["id"] == ack["message_id"]
        assert received["message"]["content"] == "hello all"
    for socket in sockets.values():
        await socket.disconnect()


async def test_every_tab_of_a_user_receives_the_message(alice, bob):
    sender = await open_socket(alice)
    tabs = [await open_socket(bob), await open_socket(bob)]

    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "two tabs"})

    for tab in tabs:
        assert (await next_frame(tab, "message"))["message"]["content"] == "two tabs"
    for socket in [sender, *tabs]:
        await socket.disconnect()


async def test_a_removed_member_is_refused_and_gets_nothing_new(alice, bob, carol, group):
    await database_sync_to_async(messaging.group_member_remove)(actor=alice, group_id=group.id, user_id=carol.id)
    owner, removed = await open_socket(alice), await open_socket(carol)

    await owner.send_json_to({"type": "send_message", "group_id": str(group.id), "content": "after"})
    await next_frame(owner, "ack")
    await removed.send_json_to({"type": "send_message", "group_id": str(group.id), "content": "still here?"})
    refused = await next_frame(removed, "error")
    await removed.send_json_to({"type": "sync", "conversation_id": str(group.id), "after_seq": 0})
    sync_refused = await next_frame(removed, "error")

    assert refused["code"] == "not_found"
    assert sync_refused["code"] == "not_found"
    assert await frames(removed, "message") == []
    assert await Message.objects.filter(conversation=group).acount() == 1
    for socket in (owner, removed):
        await socket.disconnect()


async def test_reconnect_catches_up_without_gaps_or_duplicates(alice, bob):
    sender, receiver = await open_socket(alice), await open_socket(bob)
    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "one", "client_id": "m1"})
    await next_frame(sender, "ack")
    first = (await next_frame(receiver, "message"))["message"]
    await receiver.disconnect()

    for n in (2, 3):
        await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": f"#{n}", "client_id": f"m{n}"})
        assert (await next_frame(sender, "ack"))["client_id"] == f"m{n}"
    receiver = await open_socket(bob)
    await receiver.send_json_to(
        {"type": "sync", "conversation_id": first["conversation_id"], "after_seq": first["seq"]}
    )
    caught_up = [(await next_frame(receiver, "message"))["message"] for _ in range(2)]
    synced = await next_frame(receiver, "synced")

    assert [m["seq"] for m in caught_up] == [2, 3]
    assert [m["content"] for m in caught_up] == ["#2", "#3"]
    assert synced["up_to_seq"] == 3
    assert await frames(receiver, "message") == []
    for socket in (sender, receiver):
        await socket.disconnect()


async def test_resend_with_same_client_id_returns_the_original_ack_and_stores_nothing(alice, bob):
    sender, receiver = await open_socket(alice), await open_socket(bob)
    frame = {"type": "send_message", "to": str(bob.id), "content": "once", "client_id": "same"}

    await sender.send_json_to(frame)
    first = await next_frame(sender, "ack")
    await next_frame(receiver, "message")
    await sender.send_json_to(frame)
    again = await next_frame(sender, "ack")

    assert again == first
    assert await Message.objects.filter(sender=alice).acount() == 1
    assert await frames(receiver, "message") == []
    for socket in (sender, receiver):
        await socket.disconnect()


@pytest.mark.parametrize("content", ["", "   ", "x" * 10_001, "bad \x00 byte", 42])
async def test_invalid_content_gets_an_invalid_error_and_stores_nothing(alice, bob, content):
    sender = await open_socket(alice)

    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": content, "client_id": "bad"})
    error = await next_frame(sender, "error")

    assert error["code"] == "invalid"
    assert error["client_id"] == "bad"
    assert error["message"]
    assert await Message.objects.acount() == 0
    await sender.disconnect()


async def test_typing_reaches_the_others_at_most_once_per_interval(alice, bob, carol, group):
    typist, others = await open_socket(alice), [await open_socket(bob), await open_socket(carol)]

    for _ in range(3):
        await typist.send_json_to({"type": "typing", "conversation_id": str(group.id)})

    # the first relay may take a moment on a busy machine; after it, the other two are dropped
    for socket in others:
        first = await next_frame(socket, "typing", timeout=5)
        assert first == {"type": "typing", "conversation_id": str(group.id), "user_id": str(alice.id)}
        assert await frames(socket, "typing") == []
    assert await frames(typist, "typing", wait=0.1) == []
    for socket in [typist, *others]:
        await socket.disconnect()


async def test_presence_stays_online_until_the_last_tab_closes(alice, bob):
    await database_sync_to_async(messaging.direct_get_or_create)(user=alice, other_id=bob.id)
    watcher = await open_socket(bob)
    await frames(watcher, "presence", wait=0.1)

    first_tab = await open_socket(alice)
    online = await next_frame(watcher, "presence")
    second_tab = await open_socket(alice)
    await first_tab.disconnect()
    still = await frames(watcher, "presence")
    still_online = (await User.objects.aget(id=alice.id)).is_online
    await second_tab.disconnect()
    offline = await next_frame(watcher, "presence")

    alice_now = await User.objects.aget(id=alice.id)
    assert online == {"type": "presence", "user_id": str(alice.id), "is_online": True, "last_seen": None}
    assert still == [] and still_online
    assert offline["is_online"] is False
    assert offline["last_seen"] == alice_now.last_seen.isoformat()
    assert not alice_now.is_online
    await watcher.disconnect()


async def test_one_timer_keeps_every_open_socket_of_the_process_counted(alice, bob, time_machine):
    # given three open sockets of two users (sockets an earlier test left open are not theirs)
    earlier = set(presence.heartbeats.sockets)
    sockets = [await open_socket(alice), await open_socket(alice), await open_socket(bob)]
    opened = set(presence.heartbeats.sockets) - earlier
    timers_before = {id(presence.heartbeats.timer)}

    # when their connect-time entries lapse and the process's timer beats (as its sleep would end)
    time_machine.move_to(time.time() + presence.ENTRY_TTL_SECONDS + presence.HEARTBEAT_SECONDS, tick=True)
    await presence.heartbeats.beat()

    # then one timer serves all three sockets, and both users are online again
    assert len(opened) == 3 and opened <= set(presence.heartbeats.sockets)
    assert {id(presence.heartbeats.timer)} == timers_before and not presence.heartbeats.timer.done()
    online = await database_sync_to_async(presence.online_ids)(user_ids=[alice.id, bob.id])
    assert online == {str(alice.id), str(bob.id)}
    for socket in sockets:
        await socket.disconnect()
    assert not opened & set(presence.heartbeats.sockets)


async def test_delivery_and_read_receipts_go_back_to_the_sender(alice, bob, monkeypatch):
    monkeypatch.setattr(consumers, "DELIVERY_FLUSH_SECONDS", 0.05)
    sender, receiver = await open_socket(alice), await open_socket(bob)

    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "did you get it?"})
    ack = await next_frame(sender, "ack")
    await next_frame(receiver, "message")
    delivered = await next_frame(sender, "receipt")
    await receiver.send_json_to({"type": "read", "conversation_id": ack["conversation_id"], "up_to_seq": 1})
    read = await next_frame(sender, "receipt")

    membership = await Membership.objects.aget(conversation_id=ack["conversation_id"], user=bob)
    base = {"type": "receipt", "conversation_id": ack["conversation_id"], "user_id": str(bob.id)}
    assert delivered == {**base, "delivered_up_to_seq": 1}
    assert read == {**base, "read_up_to_seq": 1}
    assert (membership.delivered_up_to_seq, membership.read_up_to_seq) == (1, 1)
    for socket in (sender, receiver):
        await socket.disconnect()


async def test_one_timer_records_the_deliveries_of_every_socket_of_the_process_in_one_call(
    alice, bob, carol, monkeypatch
):
    # given two recipients' sockets in this process, and the database call that records deliveries watched
    monkeypatch.setattr(consumers, "DELIVERY_FLUSH_SECONDS", 60)
    monkeypatch.setattr(consumers, "deliveries", consumers.Deliveries())
    calls = []
    record = consumers._receipts_delivered_all

    async def watched(*, seen):
        calls.append(sorted(user.username for user, _ in seen))
        await record(seen=seen)

    monkeypatch.setattr(consumers, "_receipts_delivered_all", watched)
    sender = await open_socket(alice)
    recipients = [await open_socket(bob), await open_socket(carol)]

    # when alice writes to each of them, two messages to bob
    for to, content in ((bob, "one"), (carol, "hola"), (bob, "two")):
        await sender.send_json_to({"type": "send_message", "to": str(to.id), "content": content})
        await next_frame(sender, "ack")
    for recipient, count in zip(recipients, (2, 1), strict=True):
        for _ in range(count):
            await next_frame(recipient, "message")
    timer = consumers.deliveries.timer
    await consumers.deliveries.flush()
    receipts = [await next_frame(sender, "receipt") for _ in range(2)]

    # then one timer was started, one call recorded both users' deliveries, bob's up to his second message
    assert calls == [["bob", "carol"]] and consumers.deliveries.timer is timer and not timer.done()
    assert sorted((r["user_id"], r["delivered_up_to_seq"]) for r in receipts) == sorted(
        [(str(bob.id), 2), (str(carol.id), 1)]
    )
    assert await frames(sender, "receipt") == []
    for socket in (sender, *recipients):
        await socket.disconnect()


async def test_the_receipts_of_a_flush_go_out_in_one_channel_layer_message_each_sender_getting_theirs(
    alice, bob, carol, monkeypatch
):
    # given alice and dave each writing to bob and carol, whose sockets are in this process
    monkeypatch.setattr(consumers, "DELIVERY_FLUSH_SECONDS", 60)
    monkeypatch.setattr(consumers, "deliveries", consumers.Deliveries())
    dave = await database_sync_to_async(person)("dave")
    senders = {alice.id: await open_socket(alice), dave.id: await open_socket(dave)}
    recipients = [await open_socket(bob), await open_socket(carol)]
    for socket in senders.values():
        for to in (bob, carol):
            await socket.send_json_to({"type": "send_message", "to": str(to.id), "content": "hi"})
            await next_frame(socket, "ack")
    for recipient in recipients:
        for _ in senders:
            await next_frame(recipient, "message")
    sends = []
    groups_send = events._groups_send

    async def watched(groups, event):
        sends.append((sorted(groups), event["type"]))
        await groups_send(groups, event)

    monkeypatch.setattr(events, "_groups_send", watched)

    # when the process records what its sockets received
    await consumers.deliveries.flush()

    # then one message to both senders carried the four receipts, each sender getting those of its own DMs
    assert sends == [(sorted([events.user_group(alice.id), events.user_group(dave.id)]), "client.each")]
    for sender_id, socket in senders.items():
        receipts = [await next_frame(socket, "receipt") for _ in range(2)]
        conversations = await database_sync_to_async(set)(
            Conversation.objects.filter(memberships__user_id=sender_id).values_list("id", flat=True)
        )
        assert sorted(r["user_id"] for r in receipts) == sorted([str(bob.id), str(carol.id)])
        assert {r["conversation_id"] for r in receipts} == {str(c) for c in conversations}
        assert all(r["delivered_up_to_seq"] == 1 for r in receipts)
        assert await frames(socket, "receipt") == []
    for socket in (*senders.values(), *recipients):
        await socket.disconnect()


async def test_frames_for_more_users_than_a_message_carries_go_in_several_each_socket_getting_its_own(
    alice, bob, carol, monkeypatch
):
    monkeypatch.setattr(events, "EACH_USERS_A_MESSAGE", 2)
    sockets = {user.id: await open_socket(user) for user in (alice, bob, carol)}
    sends = []
    groups_send = events._groups_send

    async def watched(groups, event):
        sends.append(len(groups))
        await groups_send(groups, event)

    monkeypatch.setattr(events, "_groups_send", watched)
    frames_for = {user_id: [{"type": "note", "for": str(user_id), "n": n} for n in range(2)] for user_id in sockets}

    await events.users_send_each(frames_for)

    assert sends == [2, 1]
    for user_id, socket in sockets.items():
        assert [await next_frame(socket, "note") for _ in range(2)] == frames_for[user_id]
        assert await frames(socket, "note") == []
    for socket in sockets.values():
        await socket.disconnect()


async def test_reading_only_your_own_messages_of_a_dm_tells_the_other_member_nothing(alice, bob, monkeypatch):
    monkeypatch.setattr(consumers, "DELIVERY_FLUSH_SECONDS", 0.05)
    watcher, writer = await open_socket(alice), await open_socket(bob)
    # given bob's own message (seq 1) read by bob, then alice's (seq 2) read by bob
    await writer.send_json_to({"type": "send_message", "to": str(alice.id), "content": "hola", "client_id": "b1"})
    ack = await next_frame(writer, "ack")
    await writer.send_json_to({"type": "read", "conversation_id": ack["conversation_id"], "up_to_seq": 1})
    await watcher.send_json_to({"type": "send_message", "to": str(bob.id), "content": "¿qué tal?", "client_id": "a1"})
    await next_frame(watcher, "ack")
    await next_frame(writer, "message")
    await writer.send_json_to({"type": "read", "conversation_id": ack["conversation_id"], "up_to_seq": 2})

    # then alice hears only of bob's receipts covering her message
    receipts = await frames(watcher, "receipt")
    assert receipts and all(r.get("read_up_to_seq", r.get("delivered_up_to_seq")) == 2 for r in receipts)
    for socket in (watcher, writer):
        await socket.disconnect()


async def test_a_blocked_user_cannot_send_a_direct_message(alice, bob):
    await database_sync_to_async(messaging.user_block)(user=bob, other_id=alice.id)
    sender = await open_socket(alice)

    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "let me in"})

    assert (await next_frame(sender, "error"))["code"] == "blocked"
    assert await Message.objects.acount() == 0
    assert not await Conversation.objects.filter(kind=ConversationKind.DIRECT).aexists()
    await sender.disconnect()


@pytest.mark.parametrize("blocker", ["recipient", "sender"])
async def test_a_block_stops_a_direct_conversation_already_under_way(alice, bob, blocker):
    sender = await open_socket(alice)
    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "hi", "client_id": "a1"})
    ack = await next_frame(sender, "ack")
    who, whom = (bob, alice) if blocker == "recipient" else (alice, bob)
    await database_sync_to_async(messaging.user_block)(user=who, other_id=whom.id)

    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "still there?"})
    refused = await next_frame(sender, "error")
    # a resend of what went through before the block still gets its ack
    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "hi", "client_id": "a1"})
    again = await next_frame(sender, "ack")

    conversation = await Conversation.objects.aget(id=ack["conversation_id"])
    assert refused["code"] == "blocked" and again == ack
    assert [m.content async for m in Message.objects.filter(conversation=conversation)] == ["hi"]
    assert conversation.next_seq == 2
    await sender.disconnect()


async def test_a_client_id_used_before_does_not_stand_for_a_message_to_nobody_or_to_yourself(alice, bob):
    sender = await open_socket(alice)
    await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": "hi", "client_id": "a1"})
    await next_frame(sender, "ack")

    await sender.send_json_to(
        {"type": "send_message", "to": "6f1c2b8e-0000-4000-8000-000000000000", "content": "hi", "client_id": "a1"}
    )
    unknown = await next_frame(sender, "error")
    await sender.send_json_to({"type": "send_message", "to": str(alice.id), "content": "hi", "client_id": "a1"})
    yourself = await next_frame(sender, "error")

    assert (unknown["code"], yourself["code"]) == ("not_found", "invalid")
    assert await Message.objects.acount() == 1
    await sender.disconnect()


async def test_sending_too_fast_is_throttled(alice, bob, settings):
    settings.MESSAGE_RATE = "3/3600s"
    sender = await open_socket(alice)

    for n in range(4):
        await sender.send_json_to({"type": "send_message", "to": str(bob.id), "content": f"{n}", "client_id": f"t{n}"})
    acks = [await next_frame(sender, "ack") for _ in range(3)]
    error = await next_frame(sender, "error")

    assert [a["seq"] for a in acks] == [1, 2, 3]
    assert error["code"] == "throttled"
    assert error["client_id"] == "t3"
    assert await Message.objects.acount() == 3
    await sender.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "send_message", "group_id": "{group}", "content": "hi"},
        {"type": "typing", "conversation_id": "{group}"},
        {"type": "read", "conversation_id": "{group}", "up_to_seq": 1},
        {"type": "sync", "conversation_id": "{group}", "after_seq": 0},
        {"type": "send_message", "group_id": "not-a-uuid", "content": "hi"},
    ],
)
async def test_a_non_member_gets_not_found(alice, bob, frame):
    other = await database_sync_to_async(person)("outsider")
    foreign = await database_sync_to_async(messaging.group_create)(
        owner=alice, name="private", member_ids=[str(bob.id)]
    )
    outsider = await open_socket(other)

    await outsider.send_json_to({k: v.format(group=foreign.id) if isinstance(v, str) else v for k, v in frame.items()})

    assert (await next_frame(outsider, "error"))["code"] == "not_found"
    await outsider.disconnect()


async def test_a_group_created_mid_session_is_delivered_without_reconnecting(alice, bob):
    sockets = [await open_socket(alice), await open_socket(bob)]

    group = await database_sync_to_async(messaging.group_create)(owner=alice, name="new", member_ids=[str(bob.id)])
    joined = await next_frame(sockets[1], "membership")
    await sockets[0].send_json_to({"type": "send_message", "group_id": str(group.id), "content": "welcome"})

    assert joined["conversation_id"] == str(group.id)
    assert (await next_frame(sockets[1], "message"))["message"]["content"] == "welcome"
    await asyncio.gather(*(socket.disconnect() for socket in sockets))
