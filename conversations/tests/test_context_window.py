"""The prompt's context window: cached once a turn, read from the database whenever the cache cannot be trusted."""

import pytest
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from ai.models import AIInteraction
from conversations.models import Message, MessageRole, MessageState, PracticeSession
from conversations.services import context
from conversations.services.sessions import turn_submit
from conversations.tests.factories import practice_session

pytestmark = pytest.mark.django_db(transaction=True)

TURNS = ["きのう ともだちと えいがを みました。", "わたしは まいにち にほんごを べんきょうします。"]


@pytest.fixture
def session(user):
    return practice_session(user=user)


def send(client, session, text):
    response = client.post(f"/api/v1/sessions/{session.id}/messages", {"message": text}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def last_prompt() -> list[str]:
    return [message["content"] for message in AIInteraction.objects.filter(purpose="reply").latest("id").prompt]


def partner_messages_before(session, seq: int) -> int:
    return Message.objects.filter(
        conversation_id=session.conversation_id, role=MessageRole.ASSISTANT, state=MessageState.COMPLETE, seq__lt=seq
    ).count()


class Counting:
    """The cache as the context window uses it, each call noted."""

    def __init__(self, fail: bool = False):
        self.calls: list[str] = []
        self.fail = fail

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append(name)
            if self.fail:
                raise RedisConnectionError("Connection refused")
            return getattr(cache, name)(*args, **kwargs)

        return call


def test_a_turn_reads_the_window_once_and_writes_it_once(auth_client, session, monkeypatch):
    send(auth_client, session, "はじめまして。")
    counting = Counting()
    monkeypatch.setattr(context, "cache", counting)

    send(auth_client, session, TURNS[0])

    assert counting.calls == ["get", "set"]


def test_the_first_turn_finds_the_window_cached_with_the_opening_line(auth_client, session, monkeypatch):
    counting = Counting()
    monkeypatch.setattr(context, "cache", counting)

    send(auth_client, session, "はじめまして。")

    assert counting.calls == ["get", "set"]
    assert last_prompt()[1] == Message.objects.get(conversation_id=session.conversation_id, seq=1).content


def test_an_edited_turn_is_in_no_later_prompt(auth_client, session):
    first = send(auth_client, session, TURNS[0])
    edited = auth_client.post(
        f"/api/v1/sessions/{session.id}/messages/{first['message_id']}/edit",
        {"message": "きのう ほんを よみました。"},
        format="json",
    )
    assert edited.status_code == 201, edited.content

    send(auth_client, session, TURNS[1])

    prompt = last_prompt()
    assert "きのう ほんを よみました。" in prompt and TURNS[0] not in prompt
    assert first["ai_response"] not in prompt


def test_a_turn_after_a_reply_that_was_not_stored_reads_the_window_from_the_database(user, session):
    # given a turn whose reply failed, so that the cached window never got the turn
    failed = turn_submit(session=session, content=TURNS[0], client_id="failed")
    Message.objects.filter(id=failed.ai_message.id).update(state=MessageState.FAILED)

    turn = turn_submit(session=session, content=TURNS[1], client_id="next")

    # then the next reply's request has the turn, but not the failed reply
    assert [t.content for t in turn.plan.request.recent_turns][-1] == TURNS[0]
    assert turn.plan.request.partner_turns == partner_messages_before(session, turn.user_message.seq) == 1


def test_the_partner_turns_are_counted_across_the_summary_with_the_cache_and_without(auth_client, session):
    # given enough turns that the oldest are folded into the running summary
    for n in range(8):
        send(auth_client, session, TURNS[n % 2])
    session = PracticeSession.objects.select_related("conversation", "template", "user").get(id=session.id)
    assert session.summary_up_to_seq > 0

    cached = turn_submit(session=session, content="さいごです。", client_id="last")
    Message.objects.filter(id=cached.ai_message.id).update(state=MessageState.FAILED)
    rebuilt = context.context_rebuild(session=session, through=cached.ai_message.seq - 1)

    seq = cached.user_message.seq
    assert (
        cached.plan.request.partner_turns
        == rebuilt.partner_turns(before_seq=seq)
        == partner_messages_before(session, seq)
    )
    assert [t for t in rebuilt.turns if t["seq"] < seq] == cached.plan.window.turns


def test_an_unreachable_cache_leaves_the_window_to_the_database(auth_client, session, monkeypatch):
    send(auth_client, session, TURNS[0])
    monkeypatch.setattr(context, "cache", Counting(fail=True))

    answer = send(auth_client, session, TURNS[1])

    assert answer["ai_response"]
    assert TURNS[0] in last_prompt()
