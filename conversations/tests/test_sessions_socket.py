import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from accounts.services import tokens_for
from config.asgi import application
from conversations.models import Message, MessageState
from conversations.services.replies import _STREAM_KEY
from conversations.services.sessions import turn_submit
from conversations.tests.factories import practice_session
from evaluations.models import Mistake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def open_socket(user, application=application) -> WebsocketCommunicator:
    token = (await database_sync_to_async(tokens_for)(user=user))["token"]
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def frames_until(communicator, frame_type: str, timeout: float = 5) -> list[dict]:
    """Every frame received up to and including the first of `frame_type`."""
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        if frame["type"] == frame_type:
            return frames


async def drain(communicator) -> None:
    """Read until the socket has been quiet for a moment (the follow-up analysis is done)."""
    while not await communicator.receive_nothing(timeout=0.3):
        await communicator.receive_json_from()


@pytest.fixture
def session(user):
    return practice_session(user=user, strictness="strict")


async def test_a_turn_is_acked_then_streamed_then_analysed(user, session):
    socket = await open_socket(user)

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "わたしを がくせい です", "client_id": "t1"}
    )
    frames = await frames_until(socket, "ai.message")
    after = await frames_until(socket, "mistakes")

    assert frames[0]["type"] == "ack"
    assert frames[0]["client_id"] == "t1"
    assert frames[0]["seq"] == 2
    types = [f["type"] for f in frames]
    assert "ai.typing" in types
    assert types.index("ai.typing") < types.index("ai.delta")
    deltas = [f for f in frames if f["type"] == "ai.delta"]
    assert [d["index"] for d in deltas] == list(range(len(deltas)))
    reply = frames[-1]["message"]
    assert "".join(d["delta"] for d in deltas) == reply["content"]
    assert reply["state"] == "complete" and reply["offline"] is True
    mistakes = after[-1]
    assert mistakes["message_id"] == frames[0]["message_id"]
    assert 1 <= len(mistakes["items"]) <= 3
    assert await database_sync_to_async(Mistake.objects.filter(message_id=frames[0]["message_id"]).count)() == len(
        mistakes["items"]
    )
    await socket.disconnect()


async def test_a_free_form_reply_fills_the_vocabulary_panel_with_the_small_talk_phrases_it_says(user):
    # given a free-form beginner session, which follows the small-talk script
    session = await database_sync_to_async(practice_session)(user=user, template=None, free_form=True)
    socket = await open_socket(user)

    # when the learner gives their name and the partner asks where they are from, in kana
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "サムです。", "client_id": "v1"}
    )
    reply = (await frames_until(socket, "ai.message"))[-1]["message"]["content"]
    vocabulary = (await frames_until(socket, "vocabulary", timeout=10))[-1]["items"]
    await socket.disconnect()

    # then the panel gets the script's phrase as a learner keeps it, from the sentence that says it
    assert "どこから きましたか。" in reply
    (item,) = [item for item in vocabulary if item["phrase"] == "〜から来ました"]
    assert (item["reading"], item["translation"]) == ("〜からきました", "I'm from ~")
    assert item["context_sentence"] == "どこから きましたか。"


async def test_a_resend_with_the_same_client_id_returns_the_original_ack(user, session):
    socket = await open_socket(user)
    frame = {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "same"}
    await socket.send_json_to(frame)
    answered = await frames_until(socket, "ai.message")
    await drain(socket)

    await socket.send_json_to(frame)
    again = await socket.receive_json_from()
    reply_again = await socket.receive_json_from()

    assert again == answered[0]
    # a client that missed the reply (it was away) gets it with the ack; nothing is generated again
    assert reply_again == answered[-1]
    count = await database_sync_to_async(Message.objects.filter(conversation=session.conversation).count)()
    assert count == 3
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_every_tab_of_the_user_receives_the_reply(user, session):
    sender, other_tab = await open_socket(user), await open_socket(user)

    await sender.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "tabs"}
    )
    seen_by_sender = await frames_until(sender, "ai.message")
    seen_by_other = await frames_until(other_tab, "ai.message")

    assert seen_by_other[0]["type"] == "message"
    assert seen_by_other[0]["message"]["content"] == "こんにちは"
    assert seen_by_other[-1]["message"]["id"] == seen_by_sender[-1]["message"]["id"]
    await sender.disconnect()
    await other_tab.disconnect()


async def test_a_turn_while_the_reply_is_streaming_is_refused(user, session):
    await database_sync_to_async(turn_submit)(session=session, content="ひとつめ", client_id="a")
    socket = await open_socket(user)

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ふたつめ", "client_id": "b"}
    )
    error = await socket.receive_json_from()

    assert error["type"] == "error"
    assert error["code"] == "turn_in_progress"
    assert error["client_id"] == "b"
    assert not await database_sync_to_async(Message.objects.filter(client_id="b").exists)()
    await socket.disconnect()


async def test_a_reconnecting_client_gets_what_it_missed_and_the_reply_so_far(user, session):
    turn = await database_sync_to_async(turn_submit)(session=session, content="しつもんです", client_id="r")
    await cache.aset(_STREAM_KEY.format(turn.ai_message.id), {"text": "そうですね、", "index": 3}, 60)
    socket = await open_socket(user)

    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    frames = await frames_until(socket, "synced")

    assert [f["message"]["seq"] for f in frames if f["type"] == "message"] == [1, 2]
    snapshot = next(f for f in frames if f["type"] == "ai.delta")
    assert snapshot == {
        "type": "ai.delta",
        "session_id": str(session.id),
        "message_id": str(turn.ai_message.id),
        "index": 3,
        "delta": "そうですね、",
        "snapshot": True,
    }
    assert frames[-1]["up_to_seq"] == 3
    await socket.disconnect()


async def test_the_reply_goes_on_when_the_tab_that_asked_closes(user, session):
    socket = await open_socket(user)
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "さようなら", "client_id": "gone"}
    )
    ack = await socket.receive_json_from()
    await socket.disconnect()

    for _ in range(100):
        states = await database_sync_to_async(
            lambda: list(
                Message.objects.filter(conversation=session.conversation, seq=ack["seq"] + 1).values_list(
                    "state", flat=True
                )
            )
        )()
        if states == [MessageState.COMPLETE]:
            break
        await asyncio.sleep(0.05)

    assert states == [MessageState.COMPLETE]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "user_message", "session_id": "00000000-0000-0000-0000-000000000000", "content": "x"}, "not_found"),
        ({"type": "user_message", "content": "x"}, "not_found"),
        ({"type": "sync", "conversation_id": "nope", "after_seq": 0}, "not_found"),
        ({"type": "sync", "conversation_id": "nope", "after_seq": "zero"}, "invalid"),
    ],
)
async def test_bad_frames_get_a_clear_error_and_the_socket_stays_open(user, frame, code):
    socket = await open_socket(user)

    await socket.send_json_to(frame)
    error = await socket.receive_json_from()
    await socket.send_json_to({"type": "ping"})

    assert error["type"] == "error" and error["code"] == code
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_another_users_session_is_not_found_on_the_socket(user, other_user, session):
    socket = await open_socket(other_user)

    await socket.send_json_to({"type": "user_message", "session_id": str(session.id), "content": "x", "client_id": "z"})
    error = await socket.receive_json_from()
    await socket.send_json_to({"type": "sync", "session_id": str(session.id), "after_seq": 0})
    sync_error = await socket.receive_json_from()

    assert error["code"] == "not_found"
    assert sync_error["code"] == "not_found"
    await socket.disconnect()


async def test_a_reply_abandoned_by_a_dead_process_does_not_block_the_session(user, session, settings):
    settings.REPLY_STALE_SECONDS = 60
    turn = await database_sync_to_async(turn_submit)(session=session, content="ひとつめ", client_id="dead")
    # the process writing this reply died: it stays `streaming`, older than any reply could take
    await database_sync_to_async(
        lambda: Message.objects.filter(id=turn.ai_message.id).update(
            created_at=turn.ai_message.created_at - timedelta(seconds=61)
        )
    )()
    socket = await open_socket(user)

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "ふたつめ", "client_id": "next"}
    )
    frames = await frames_until(socket, "ai.message")
    await drain(socket)
    await socket.disconnect()

    assert frames[0]["type"] == "ack"
    abandoned = await database_sync_to_async(Message.objects.get)(id=turn.ai_message.id)
    assert abandoned.state == MessageState.FAILED


async def test_a_reply_that_crashes_is_marked_failed_not_left_streaming(user, session, monkeypatch):
    from conversations.services import replies

    async def crash(**kwargs):
        raise RuntimeError("the channel layer went away")

    monkeypatch.setattr(replies, "_reply_run", crash)
    turn = await database_sync_to_async(turn_submit)(session=session, content="こんにちは", client_id="crash")
    socket = await open_socket(user)

    await replies.reply_generate_in_background(
        session=session, user_message=turn.user_message, ai_message=turn.ai_message
    )
    told = await socket.receive_json_from(timeout=3)
    await socket.disconnect()

    message = await database_sync_to_async(Message.objects.get)(id=turn.ai_message.id)
    assert message.state == MessageState.FAILED
    # the learner hears of it as of an outage, and resends the turn
    assert told == {**told, "type": "error", "code": "ai_unavailable", "message_id": str(turn.ai_message.id)}
