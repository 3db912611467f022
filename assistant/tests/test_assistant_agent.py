"""The agent loop through the real openai and mistralai SDKs against the fake provider server, and the socket."""

import json

import pytest
from channels.db import database_sync_to_async

from ai.models import AIInteraction
from assistant.services import MAX_ROUNDS
from assistant.tools import TOOLS, tool_run
from conversations.models import Message
from conversations.tests.fake_provider import Scripted
from conversations.tests.test_sessions_socket import frames_until, open_socket
from vocabulary.models import VocabularyItem
from vocabulary.services import vocabulary_add


def chat(client, user, message: str, **extra):
    return client.post(f"/api/v1/users/{user.pk}/chat", {"message": message, **extra}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("provider_name", ["openai", "mistral"])
def test_tool_results_go_back_to_the_provider_in_its_wire_format(fake_llm, settings, auth_client, user, provider_name):
    # given a provider that first calls two tools over two rounds, then answers
    settings.LLM_PROVIDER = provider_name
    vocabulary_add(user=user, phrase="いぬ", language="japanese", translation="dog")
    fake_llm.script(
        Scripted(tool_calls=[{"name": "search_vocabulary", "arguments": {"query": "dog"}}]),
        Scripted(tool_calls=[{"name": "add_vocabulary", "arguments": {"phrase": "ねこ", "translation": "cat"}}]),
        Scripted(text="You know いぬ, and I added ねこ."),
    )
    # when the learner asks
    response = chat(auth_client, user, "Do I know the word for dog? Add cat too.")
    # then the answer is the provider's final text and both tools ran for this user
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["response"] == "You know いぬ, and I added ねこ."
    assert [(c["name"], c["round"]) for c in body["tool_calls"]] == [("search_vocabulary", 1), ("add_vocabulary", 2)]
    assert VocabularyItem.objects.filter(user=user, phrase="ねこ").exists()
    # and the provider saw the tools, then its own tool calls followed by the results
    first, second, third = (r["body"] for r in fake_llm.requests)
    assert {t["function"]["name"] for t in first["tools"]} == set(TOOLS)
    assert first["tools"][0]["type"] == "function"
    call_turn, result_turn = second["messages"][-2:]
    assert call_turn["role"] == "assistant"
    assert call_turn["tool_calls"][0]["id"] == "call_0"
    assert call_turn["tool_calls"][0]["function"]["name"] == "search_vocabulary"
    assert json.loads(call_turn["tool_calls"][0]["function"]["arguments"]) == {"query": "dog"}
    assert result_turn["role"] == "tool"
    assert result_turn["tool_call_id"] == "call_0"
    assert json.loads(result_turn["content"])["items"][0]["phrase"] == "いぬ"
    assert [m["role"] for m in third["messages"][-4:]] == ["assistant", "tool", "assistant", "tool"]
    rows = AIInteraction.objects.filter(purpose="assistant")
    assert rows.filter(provider=provider_name).count() == 3
    assert list(rows.filter(provider="tool").order_by("created_at").values_list("model", flat=True)) == [
        "search_vocabulary",
        "add_vocabulary",
    ]


@pytest.mark.django_db
def test_a_model_that_keeps_calling_tools_is_stopped_with_a_clear_answer(fake_llm, auth_client, user):
    fake_llm.responder = lambda body: Scripted(tool_calls=[{"name": "progress_summary", "arguments": {}}])

    response = chat(auth_client, user, "How am I doing?")

    assert response.status_code == 200, response.content
    assert len(fake_llm.requests) == MAX_ROUNDS
    assert len(response.json()["tool_calls"]) == MAX_ROUNDS
    assert "I stopped after 5 rounds" in response.json()["response"]
    reply = Message.objects.get(role="assistant")
    assert reply.meta["stopped"] == "max_rounds"


@pytest.mark.django_db
def test_tool_errors_go_back_to_the_model_as_results(fake_llm, auth_client, user):
    # given a model that calls an unknown tool and a known one with bad arguments
    fake_llm.script(
        Scripted(
            tool_calls=[
                {"name": "delete_everything", "arguments": {}},
                {"name": "list_mistakes", "arguments": {"type": "nonsense", "limit": 500}},
                {"name": "start_practice", "arguments": {"template": "no-such-template"}},
            ]
        ),
        Scripted(text="Sorry, I could not look that up."),
    )

    response = chat(auth_client, user, "Delete my data")

    assert response.status_code == 200, response.content
    errors = [c["error"] for c in response.json()["tool_calls"]]
    assert errors[0].startswith("Unknown tool 'delete_everything'")
    assert "type" in errors[1] and "limit" in errors[1]
    assert "template" in errors[2].lower()
    sent = [m for m in fake_llm.requests[1]["body"]["messages"] if m["role"] == "tool"]
    assert [m["tool_call_id"] for m in sent] == ["call_0", "call_1", "call_2"]
    assert all("error" in json.loads(m["content"]) for m in sent)
    assert AIInteraction.objects.filter(provider="tool", status="error").count() == 3


@pytest.mark.django_db
def test_an_outage_keeps_the_learners_message_and_answers_503(fake_llm, auth_client, user):
    fake_llm.responder = lambda body: Scripted(status=500)

    response = chat(auth_client, user, "my words?")

    assert response.status_code == 503
    assert response.json()["code"] == "ai_unavailable"
    assert list(Message.objects.values_list("role", flat=True)) == ["user"]


@pytest.mark.django_db
def test_tools_never_reach_another_users_data(user, other_user):
    vocabulary_add(user=other_user, phrase="秘密", language="japanese")

    listed = tool_run(user=user, name="list_vocabulary", arguments={})
    searched = tool_run(user=user, name="search_vocabulary", arguments={"query": "秘密"})

    assert listed.data == {"count": 0, "items": []}
    assert searched.data["count"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_socket_frame_acks_then_streams_the_answer(user):
    await database_sync_to_async(vocabulary_add)(user=user, phrase="みず", language="japanese", translation="water")
    socket = await open_socket(user)

    await socket.send_json_to({"type": "assistant_message", "content": "list my vocabulary", "client_id": "a1"})
    frames = await frames_until(socket, "ai.message")
    await socket.send_json_to(
        {
            "type": "assistant_message",
            "conversation_id": frames[0]["conversation_id"],
            "content": "and my progress?",
            "client_id": "a2",
        }
    )
    follow_up = await frames_until(socket, "ai.message")
    await socket.disconnect()

    ack, typing, *deltas, final = frames
    assert ack["type"] == "ack" and ack["client_id"] == "a1" and ack["seq"] == 1
    assert typing == {"type": "ai.typing", "conversation_id": ack["conversation_id"]}
    assert deltas and all(d["type"] == "ai.delta" for d in deltas)
    assert [d["index"] for d in deltas] == list(range(len(deltas)))
    assert "".join(d["delta"] for d in deltas) == final["message"]["content"]
    assert "みず (water)" in final["message"]["content"]
    assert final["conversation_id"] == ack["conversation_id"]
    assert final["message"]["tool_calls"][0]["name"] == "list_vocabulary"
    assert follow_up[0]["seq"] == 3
    assert follow_up[-1]["message"]["tool_calls"][0]["name"] == "progress_summary"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_socket_frame_refuses_another_users_conversation(user, other_user):
    from assistant.services import assistant_turn_submit

    theirs = await database_sync_to_async(assistant_turn_submit)(user=other_user, content="hi")
    socket = await open_socket(user)

    await socket.send_json_to(
        {"type": "assistant_message", "conversation_id": str(theirs.conversation.pk), "content": "x", "client_id": "b"}
    )
    frame = await socket.receive_json_from(timeout=5)
    await socket.disconnect()

    assert frame["type"] == "error"
    assert frame["code"] == "not_found"
    assert frame["client_id"] == "b"


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_socket_frame_counts_against_the_message_rate(user, settings):
    # given a learner allowed one send in the window (an hour: the test never straddles two; the
    # offline assistant has no limit of its own)
    settings.MESSAGE_RATE = "1/3600s"
    socket = await open_socket(user)

    # when they ask twice
    await socket.send_json_to({"type": "assistant_message", "content": "list my vocabulary", "client_id": "q1"})
    await frames_until(socket, "ai.message", timeout=20)
    await socket.send_json_to({"type": "assistant_message", "content": "and my progress?", "client_id": "q2"})
    frame = await socket.receive_json_from(timeout=20)
    await socket.disconnect()

    # then the second question is refused, unstored
    assert (frame["type"], frame["code"], frame["client_id"]) == ("error", "throttled", "q2")
    assert await Message.objects.filter(role="user").acount() == 1


@pytest.mark.django_db
def test_progress_includes_evaluation_scores(user):
    from conversations.tests.factories import practice_session
    from evaluations.models import Evaluation

    for score in (60, 80):
        Evaluation.objects.create(session=practice_session(user=user), user=user, overall_score=score)

    evaluations = tool_run(user=user, name="progress_summary", arguments={}).data["evaluations"]

    assert evaluations["evaluated_sessions"] == 2
    assert evaluations["average_overall_score"] == 70.0
