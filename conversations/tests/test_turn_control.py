"""Stop, regenerate and edit over the socket and REST: the reply invariants hold (a stopped reply
is never complete, replaced messages leave every transcript, an edited turn's mistakes are
recomputed, one reply at a time)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from conversations.models import Message, MessageState, PracticeSession
from conversations.tests.factories import practice_session
from conversations.tests.fake_provider import Scripted
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket
from evaluations.models import Mistake

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]

WRONG = "わたしを がくせい です"
RIGHT = "わたしは がくせい です"
SLOW_REPLY = " ".join(f"word{n}" for n in range(40))


def slow_responder(body: dict) -> Scripted:
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    if schema == "Findings":
        return Scripted(text=json.dumps({"findings": []}))
    if schema == "VocabularyTags":
        return Scripted(text=json.dumps({"items": []}))
    if schema == "SummaryOut":
        return Scripted(text=json.dumps({"summary": "A short chat."}))
    return Scripted(text=SLOW_REPLY, pace=0.05)


@pytest.fixture
def session(user):
    return practice_session(user=user, strictness="strict")


@database_sync_to_async
def _messages(session) -> list[Message]:
    return list(Message.objects.filter(conversation_id=session.conversation_id).order_by("seq"))


@database_sync_to_async
def _mistake_count(message_id) -> int:
    return Mistake.objects.filter(message_id=message_id).count()


@database_sync_to_async
def _user_turns(session) -> int:
    return PracticeSession.objects.get(id=session.id).user_turns


def _turn(session, content, client_id):
    return {"type": "user_message", "session_id": str(session.id), "content": content, "client_id": client_id}


async def test_stop_keeps_the_text_so_far_marked_stopped_and_frees_the_session(fake_llm, user, session):
    fake_llm.responder = slow_responder
    socket = await open_socket(user)
    await socket.send_json_to(_turn(session, "こんにちは", "s1"))
    streamed = ""
    while len(streamed.split()) < 3:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == "ai.delta":
            streamed += frame["delta"]
    await socket.send_json_to({"type": "stop", "session_id": str(session.id)})
    frames = await frames_until(socket, "ai.message")
    stopped = frames[-1]["message"]
    assert stopped["state"] == "stopped"
    assert stopped["content"].startswith(streamed.strip()) and stopped["content"] != SLOW_REPLY

    # The writer ends without ever storing it complete; the next turn is taken at once.
    await asyncio.sleep(0.5)
    reply = (await _messages(session))[-1]
    assert str(reply.id) == stopped["id"]
    assert reply.state == MessageState.STOPPED and reply.content == stopped["content"]
    fake_llm.responder = None
    await drain(socket)
    await socket.send_json_to(_turn(session, "もういちど", "s2"))
    after = await frames_until(socket, "ai.message")
    assert after[0]["type"] == "ack"
    assert after[-1]["message"]["state"] == "complete"
    await socket.disconnect()


async def test_stop_with_no_reply_being_written_is_refused(user, session):
    socket = await open_socket(user)
    await socket.send_json_to({"type": "stop", "session_id": str(session.id)})
    frame = await socket.receive_json_from(timeout=5)
    assert (frame["type"], frame["code"], frame["session_id"]) == ("error", "nothing_to_stop", str(session.id))
    await socket.disconnect()


async def test_regenerate_replaces_the_last_reply_and_keeps_the_turns_mistakes(user, session):
    socket = await open_socket(user)
    await socket.send_json_to(_turn(session, WRONG, "r1"))
    first = await frames_until(socket, "ai.message")
    await frames_until(socket, "mistakes")
    await drain(socket)
    turn_id, old_reply = first[0]["message_id"], first[-1]["message"]
    found = await _mistake_count(turn_id)
    assert found >= 1

    await socket.send_json_to({"type": "regenerate", "session_id": str(session.id), "client_id": "g1"})
    frames = await frames_until(socket, "ai.message")
    await drain(socket)
    gone = [f["message"] for f in frames if f["type"] == "message"]
    assert [(m["id"], m["state"]) for m in gone] == [(old_reply["id"], "superseded")]
    assert "ai.typing" in [f["type"] for f in frames]
    new_reply = frames[-1]["message"]
    assert new_reply["state"] == "complete" and new_reply["id"] != old_reply["id"]
    assert new_reply["seq"] > old_reply["seq"]
    assert await _mistake_count(turn_id) == found
    states = [(m.role, m.state) for m in await _messages(session)]
    assert states[-3:] == [("user", "complete"), ("assistant", "superseded"), ("assistant", "complete")]
    await socket.disconnect()


async def test_regenerate_with_no_reply_to_a_turn_is_refused(user, session):
    socket = await open_socket(user)
    await socket.send_json_to({"type": "regenerate", "session_id": str(session.id)})
    frame = await socket.receive_json_from(timeout=5)
    assert (frame["type"], frame["code"]) == ("error", "nothing_to_regenerate")
    await socket.disconnect()


async def test_edit_replaces_the_last_turn_and_recomputes_its_mistakes(user, session):
    socket = await open_socket(user)
    await socket.send_json_to(_turn(session, WRONG, "e1"))
    first = await frames_until(socket, "ai.message")
    await frames_until(socket, "mistakes")
    await drain(socket)
    old_turn, old_reply = first[0]["message_id"], first[-1]["message"]["id"]
    assert await _mistake_count(old_turn) >= 1
    turns_before = await _user_turns(session)

    edit = {"type": "edit", "session_id": str(session.id), "message_id": old_turn, "content": RIGHT, "client_id": "e2"}
    await socket.send_json_to(edit)
    frames = await frames_until(socket, "ai.message")
    after = await frames_until(socket, "mistakes")
    ack = next(f for f in frames if f["type"] == "ack")
    assert ack["client_id"] == "e2" and ack["message_id"] != old_turn
    superseded = [
        f["message"]["id"] for f in frames if f["type"] == "message" and f["message"]["state"] == "superseded"
    ]
    assert superseded == [old_turn, old_reply]
    assert frames[-1]["message"]["state"] == "complete"
    assert after[-1]["message_id"] == ack["message_id"]
    assert await _mistake_count(old_turn) == 0
    assert await _mistake_count(ack["message_id"]) == len(after[-1]["items"])
    assert await _user_turns(session) == turns_before
    await drain(socket)

    # The same edit again stores nothing; an older turn cannot be edited.
    await socket.send_json_to(edit)
    again = await frames_until(socket, "ai.message")
    assert again[0]["type"] == "ack" and again[0]["message_id"] == ack["message_id"]
    await socket.send_json_to({**edit, "message_id": old_turn, "client_id": "e3"})
    refused = await frames_until(socket, "error")
    assert refused[-1]["code"] == "not_editable"
    visible = [m for m in await _messages(session) if m.state != MessageState.SUPERSEDED]
    assert [m.content for m in visible if m.role == "user"] == [RIGHT]
    await socket.disconnect()


async def test_regenerate_and_edit_wait_for_the_reply_being_written(fake_llm, user, session):
    fake_llm.responder = slow_responder
    socket = await open_socket(user)
    await socket.send_json_to(_turn(session, "こんにちは", "w1"))
    ack = await frames_until(socket, "ai.delta")
    turn_id = ack[0]["message_id"]
    await socket.send_json_to({"type": "regenerate", "session_id": str(session.id)})
    refused = await frames_until(socket, "error")
    assert refused[-1]["code"] == "turn_in_progress"
    await socket.send_json_to(
        {"type": "edit", "session_id": str(session.id), "message_id": turn_id, "content": "やあ", "client_id": "w2"}
    )
    refused = await frames_until(socket, "error")
    assert refused[-1]["code"] == "turn_in_progress"
    await socket.send_json_to({"type": "stop", "session_id": str(session.id)})
    await frames_until(socket, "ai.message")
    await socket.disconnect()


def _rest_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def test_rest_doors_stop_regenerate_and_edit_and_hide_others_sessions(user, other_user, session):
    client = await database_sync_to_async(_rest_client)(user)
    stranger = await database_sync_to_async(_rest_client)(other_user)
    base = f"/api/v1/sessions/{session.id}"

    def post(who, path, body=None):
        return who.post(path, json.dumps(body or {}), content_type="application/json")

    turn = await database_sync_to_async(post)(client, f"{base}/messages", {"message": WRONG, "client_id": "x1"})
    assert turn.status_code == 201
    turn_id = turn.json()["message_id"]

    stop = await database_sync_to_async(post)(client, f"{base}/stop")
    assert (stop.status_code, stop.json()["code"]) == (409, "nothing_to_stop")
    again = await database_sync_to_async(post)(client, f"{base}/regenerate")
    assert again.status_code == 200, again.content
    assert again.json()["ai_response"] and again.json()["ai_message_id"] != turn.json()["ai_message_id"]
    # the reply written again answers with the turn's mistakes as they stand
    assert turn.json()["mistakes"] and again.json()["mistakes"] == turn.json()["mistakes"]

    edited = await database_sync_to_async(post)(
        client, f"{base}/messages/{turn_id}/edit", {"message": RIGHT, "client_id": "x2"}
    )
    assert edited.status_code == 201, edited.content
    assert edited.json()["message_id"] != turn_id
    detail = (await database_sync_to_async(client.get)(base)).json()
    assert [m["content"] for m in detail["transcript"] if m["role"] == "user"] == [RIGHT]
    assert all(m.get("state") != "superseded" for m in detail["transcript"])

    for path in (f"{base}/stop", f"{base}/regenerate", f"{base}/messages/{turn_id}/edit"):
        response = await database_sync_to_async(post)(stranger, path, {"message": "hi"})
        assert response.status_code == 404, path
    bad = await database_sync_to_async(post)(client, f"{base}/messages/{turn_id}/edit", {"message": ""})
    assert bad.status_code == 400


@pytest.mark.parametrize("message_id", ["null,null", "0"])
async def test_an_edit_of_something_that_is_no_message_id_is_a_404_even_for_a_used_client_id(user, session, message_id):
    client = await database_sync_to_async(_rest_client)(user)
    base = f"/api/v1/sessions/{session.id}"
    body = json.dumps({"message": RIGHT, "client_id": "used"})
    turn = await database_sync_to_async(client.post)(f"{base}/messages", body, content_type="application/json")
    assert turn.status_code == 201

    edit = await database_sync_to_async(client.post)(
        f"{base}/messages/{message_id}/edit", body, content_type="application/json"
    )

    assert (edit.status_code, edit.json()["code"]) == (404, "not_found")
    assert await _user_turns(session) == 1
