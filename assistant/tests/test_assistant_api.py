"""The assistant's REST doors, with the offline partner picking tools by intent."""

import pytest

from ai.models import AIInteraction
from assistant.services import assistant_turn_submit
from conversations.models import Conversation, ConversationKind, Message
from conversations.tests.factories import practice_session
from evaluations.models import Mistake
from vocabulary.models import VocabularyItem
from vocabulary.services import vocabulary_add

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def offline(settings):
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []


def chat_url(user) -> str:
    return f"/api/v1/users/{user.pk}/chat"


def test_it_lists_vocabulary_through_a_tool_and_answers_from_it(auth_client, user):
    # given a saved phrase
    vocabulary_add(user=user, phrase="ねこ", language="japanese", translation="cat")
    # when the learner asks about their words
    response = auth_client.post(chat_url(user), {"message": "Which words have I saved?"}, format="json")
    # then the offline assistant called list_vocabulary and answered from its result
    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["name"] for c in body["tool_calls"]] == ["list_vocabulary"]
    assert body["tool_calls"][0]["result"]["items"][0]["phrase"] == "ねこ"
    assert "ねこ (cat)" in body["response"]
    conversation = Conversation.objects.get(id=body["conversation_id"])
    assert conversation.kind == ConversationKind.ASSISTANT
    assert list(conversation.messages.values_list("seq", "role")) == [(1, "user"), (2, "assistant")]
    rows = AIInteraction.objects.filter(conversation=conversation, purpose="assistant")
    assert rows.filter(provider="offline").count() == 2
    tool_row = rows.get(provider="tool")
    assert tool_row.model == "list_vocabulary"
    assert tool_row.prompt[0]["result_chars"] == len(tool_row.response)


def test_add_to_my_vocabulary_saves_the_phrase(auth_client, user):
    response = auth_client.post(chat_url(user), {"message": "add たべもの to my vocabulary"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["tool_calls"][0]["arguments"] == {"phrase": "たべもの"}
    assert VocabularyItem.objects.filter(user=user, phrase="たべもの", language="japanese").exists()
    assert "Added たべもの" in response.json()["response"]


def test_progress_mistakes_and_suggestion_use_only_the_callers_data(auth_client, user, other_user):
    # given a session with a particle mistake, and another learner with a grammar mistake
    session = practice_session(user=user)
    message = Message.objects.filter(conversation=session.conversation).first()
    Mistake.objects.create(message=message, session=session, type="particle", original="を", correction="は")
    theirs = practice_session(user=other_user)
    Mistake.objects.create(
        message=Message.objects.filter(conversation=theirs.conversation).first(),
        session=theirs,
        type="grammar",
        original="x",
        correction="y",
    )
    # when the learner asks three things in the same conversation
    first = auth_client.post(chat_url(user), {"message": "Show my mistakes"}, format="json").json()
    conversation_id = first["conversation_id"]
    progress = auth_client.post(
        chat_url(user), {"message": "How is my progress?", "conversation_id": conversation_id}, format="json"
    ).json()
    suggestion = auth_client.post(
        chat_url(user), {"message": "What should I practise next?", "conversation_id": conversation_id}, format="json"
    ).json()
    # then every answer is about this learner only
    assert first["tool_calls"][0]["result"]["by_type"] == {"particle": 1}
    summary = progress["tool_calls"][0]["result"]
    assert summary["sessions"]["in_progress"] == 1
    assert summary["mistakes_by_type"] == {"particle": 1}
    assert summary["evaluations"]["evaluated_sessions"] == 0
    assert summary["evaluations"]["average_overall_score"] is None
    suggested = suggestion["tool_calls"][0]["result"]
    assert suggested["focus"]["mistake_type"] == "particle"
    assert suggested["template"] is not None
    assert "particles" in suggestion["response"]
    assert Message.objects.filter(conversation_id=conversation_id).count() == 6


def test_an_unknown_request_gets_help_without_tools(auth_client, user):
    response = auth_client.post(chat_url(user), {"message": "Tell me a joke"}, format="json")

    assert response.status_code == 200
    assert response.json()["tool_calls"] == []
    assert "offline assistant" in response.json()["response"]


def test_history_lists_the_messages_in_order_with_tool_calls(auth_client, user):
    first = auth_client.post(chat_url(user), {"message": "my words?"}, format="json").json()
    auth_client.post(chat_url(user), {"message": "my progress?", "conversation_id": first["conversation_id"]})

    response = auth_client.get(f"{chat_url(user)}/{first['conversation_id']}/history")

    assert response.status_code == 200, response.content
    messages = response.json()["messages"]
    assert [m["seq"] for m in messages] == [1, 2, 3, 4]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[3]["tool_calls"][0]["name"] == "progress_summary"
    assert (
        auth_client.get(f"{chat_url(user)}/{first['conversation_id']}/history?after_seq=2").json()["messages"][0]["seq"]
        == 3
    )


def test_no_token_is_401(api_client, user):
    assert api_client.post(chat_url(user), {"message": "hi"}, format="json").status_code == 401
    assert api_client.get(f"{chat_url(user)}/{user.pk}/history").status_code == 401


def test_a_bad_token_is_401(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api_client.post(chat_url(user), {"message": "hi"}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] in ("authentication_failed", "token_not_valid")


def test_another_users_path_is_403(auth_client, other_user):
    chat = auth_client.post(chat_url(other_user), {"message": "hi"}, format="json")
    history = auth_client.get(f"{chat_url(other_user)}/00000000-0000-0000-0000-000000000000/history")

    assert chat.status_code == 403
    assert chat.json()["code"] == "forbidden"
    assert history.status_code == 403
    assert not Message.objects.exists()


def test_another_users_conversation_is_404(auth_client, user, other_user):
    # given another learner's assistant conversation and a practice conversation of the caller's
    theirs = assistant_turn_submit(user=other_user, content="hi").conversation
    practice = practice_session(user=user).conversation
    # then neither can be read or written through the caller's assistant
    for conversation_id in (theirs.id, practice.id, "not-a-uuid"):
        history = auth_client.get(f"{chat_url(user)}/{conversation_id}/history")
        assert history.status_code == 404, conversation_id
    chat = auth_client.post(chat_url(user), {"message": "hi", "conversation_id": str(theirs.id)}, format="json")
    assert chat.status_code == 404
    assert theirs.messages.count() == 1


@pytest.mark.parametrize(
    "body",
    [{}, {"message": ""}, {"message": "   "}, {"message": "x" * 10_001}, {"message": "hi", "conversation_id": "nope"}],
)
def test_a_bad_body_is_400(auth_client, user, body):
    response = auth_client.post(chat_url(user), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert not Message.objects.exists()


def test_resending_a_client_id_stores_nothing_twice(auth_client, user):
    body = {"message": "my words?", "client_id": "c-1"}
    first = auth_client.post(chat_url(user), body, format="json").json()
    again = auth_client.post(chat_url(user), body, format="json").json()

    assert again["message_id"] == first["message_id"]
    assert Message.objects.filter(conversation_id=first["conversation_id"]).count() == 2
