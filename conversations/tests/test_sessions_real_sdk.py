"""Practice sessions through the real openai SDK against the local fake provider server."""

import json
import logging

import pytest
from channels.db import database_sync_to_async

from ai.models import AIInteraction
from conversations.models import Message, MessageState
from conversations.services.context import RECENT_TURNS, SUMMARY_EVERY
from conversations.tests.factories import practice_session
from conversations.tests.fake_provider import Scripted
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket
from evaluations.models import Mistake

REPLY = "いいですね。しゅみは なんですか。"


def session_responder(body: dict) -> Scripted:
    """A well-behaved provider: replies for chat, valid JSON for structured purposes."""
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    if schema == "Findings":
        return Scripted(text=json.dumps({"findings": []}))
    if schema == "VocabularyTags":
        return Scripted(text=json.dumps({"items": [{"phrase": "しゅみ", "reading": "しゅみ", "translation": "hobby"}]}))
    if schema == "SummaryOut":
        return Scripted(text=json.dumps({"summary": "The learner introduced themself."}))
    return Scripted(text=REPLY)


@pytest.fixture
def provider(fake_llm):
    fake_llm.responder = session_responder
    return fake_llm


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.usefixtures("replies_settled")
async def test_a_ten_turn_session_streams_through_the_openai_sdk(provider, user):
    session = await database_sync_to_async(practice_session)(user=user, strictness="strict")
    socket = await open_socket(user)

    replies = []
    for turn in range(10):
        await socket.send_json_to(
            {
                "type": "user_message",
                "session_id": str(session.id),
                "content": "わたしを がくせい です",
                "client_id": f"t{turn}",
            }
        )
        frames = await frames_until(socket, "ai.message")
        replies.append(frames[-1]["message"])
        await drain(socket)
    await socket.disconnect()

    assert [r["content"] for r in replies] == [REPLY] * 10
    assert all(not r["offline"] for r in replies)
    stored = await database_sync_to_async(
        lambda: list(Message.objects.filter(conversation=session.conversation).values_list("seq", "state"))
    )()
    assert [seq for seq, _ in stored] == list(range(1, 22))
    assert {state for _, state in stored} == {MessageState.COMPLETE}
    # the local Japanese checker flags the particle even though the provider found nothing
    assert await database_sync_to_async(Mistake.objects.filter(session=session).count)() == 10
    purposes = await database_sync_to_async(lambda: set(AIInteraction.objects.values_list("purpose", flat=True)))()
    assert {"reply", "analyse_turn", "vocabulary", "summary"} <= purposes
    last_prompt = next(r for r in reversed(provider.requests) if r["body"].get("stream"))["body"]["messages"]
    # system + at most the unsummarised window + the turn itself, instead of all 19 earlier messages
    assert len(last_prompt) <= 1 + RECENT_TURNS + SUMMARY_EVERY + 1
    assert any("The learner introduced themself." in str(m["content"]) for m in last_prompt)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.usefixtures("replies_settled")
async def test_an_outage_keeps_the_turn_and_the_next_turn_works(provider, user, caplog):
    session = await database_sync_to_async(practice_session)(user=user)
    socket = await open_socket(user)
    provider.script(*[Scripted(status=500)] * 3)

    with caplog.at_level(logging.WARNING):
        await socket.send_json_to(
            {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "down"}
        )
        frames = await frames_until(socket, "error")
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "もういちど", "client_id": "back"}
    )
    recovered = await frames_until(socket, "ai.message")
    await drain(socket)
    await socket.disconnect()

    assert frames[0]["type"] == "ack"
    assert frames[-1]["code"] == "ai_unavailable"
    assert frames[-1]["session_id"] == str(session.id)
    kept = await database_sync_to_async(Message.objects.get)(id=frames[0]["message_id"])
    assert kept.content == "こんにちは"
    failed = await database_sync_to_async(Message.objects.get)(id=frames[-1]["message_id"])
    assert failed.state == MessageState.FAILED
    assert recovered[-1]["message"]["content"] == REPLY
    assert len([r for r in caplog.records if "ai unavailable for session" in r.getMessage()]) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.usefixtures("replies_settled")
async def test_a_stream_cut_in_the_middle_is_never_stored_as_complete(provider, user):
    session = await database_sync_to_async(practice_session)(user=user)
    socket = await open_socket(user)
    provider.script(Scripted(text="one two three four five", cut_after=2))

    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "cut"}
    )
    frames = await frames_until(socket, "error")
    await socket.disconnect()

    assert [f["delta"] for f in frames if f["type"] == "ai.delta"] == ["one ", "two "]
    message = await database_sync_to_async(Message.objects.get)(id=frames[-1]["message_id"])
    assert message.state == MessageState.FAILED
    assert message.meta["partial"] == "one two "


@pytest.mark.django_db(transaction=True)
def test_the_rest_door_answers_503_and_keeps_the_message_then_a_retry_answers(provider, user, auth_client):
    session = practice_session(user=user)
    provider.script(*[Scripted(status=500)] * 3)
    url = f"/api/v1/sessions/{session.id}/messages"

    down = auth_client.post(url, {"message": "こんにちは", "client_id": "r1"}, format="json")
    retry = auth_client.post(url, {"message": "こんにちは", "client_id": "r1"}, format="json")

    assert down.status_code == 503
    assert down.json()["code"] == "ai_unavailable"
    assert retry.status_code == 200
    assert retry.json()["ai_response"] == REPLY
    users = Message.objects.filter(conversation=session.conversation, role="user")
    assert list(users.values_list("content", flat=True)) == ["こんにちは"]
    states = list(
        Message.objects.filter(conversation=session.conversation, role="assistant").values_list("state", flat=True)
    )
    assert states == ["complete", "failed", "complete"]
