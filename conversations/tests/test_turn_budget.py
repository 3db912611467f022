"""What one practice turn with the offline partner costs, end to end, in countable units.

Statements (every one of the turn's: the REST turn runs the reply and its analysis on the request's
own thread and connection), rows written, channel-layer messages over the socket, and tagger passes.
Budgets, not timings: each fails when a change adds work per delta, per row or per frame.
"""

import pytest
from asgiref.sync import SyncToAsync
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator

from accounts.services import tokens_for
from ai.models import AIInteraction
from config.asgi import application
from config.channel_layer import RedisChannelLayer
from conversations.models import Message
from conversations.services import replies
from conversations.tests.factories import practice_session
from evaluations.models import Mistake
from language.japanese import analyser, readings
from vocabulary.models import VocabularyItem

pytestmark = pytest.mark.django_db(transaction=True)

TURNS = ["きのう ともだちと えいがを みました。", "わたしは まいにち にほんごを べんきょうします。"] * 2


@pytest.fixture
def session(user):
    return practice_session(user=user)


def send(client, session, text):
    response = client.post(f"/api/v1/sessions/{session.id}/messages", {"message": text}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def rows():
    return {
        "messages": Message.objects.count(),
        "interactions": AIInteraction.objects.count(),
        "mistakes": Mistake.objects.count(),
        "vocabulary": VocabularyItem.objects.count(),
    }


def test_a_rest_turn_costs_at_most_17_statements(auth_client, session, django_assert_max_num_queries):
    # given a session past its first turn, where the learner gave the name the partner asked for
    send(auth_client, session, "はじめまして。サムです。")
    # when four more turns are taken (the running summary is refreshed once in four): per turn the
    # request's user; the session, lock, streaming/resend check, insert, seq, and the turn count with
    # the scenario's new state (and the transaction); the reply's rows read again, an audit row per
    # partner call, the reply stored; vocabulary looked up; turn number
    with django_assert_max_num_queries(4 * 17):
        answers = [send(auth_client, session, text) for text in TURNS]
    # then each was answered
    assert all(answer["ai_response"] for answer in answers)


def test_a_turn_writes_two_messages_and_one_audit_row_per_partner_call(auth_client, session):
    send(auth_client, session, "はじめまして。")
    before = rows()

    send(auth_client, session, TURNS[0])

    after = rows()
    # the learner's turn and the reply; an audit row each for the reply, the analysis, the tagging
    assert after["messages"] - before["messages"] == 2
    assert after["interactions"] - before["interactions"] <= 4  # and the summary, every fourth turn
    assert after["mistakes"] - before["mistakes"] <= 3


def test_an_audit_row_keeps_the_prompt_of_its_call_in_full(auth_client, session):
    send(auth_client, session, TURNS[0])

    reply = AIInteraction.objects.filter(purpose="reply").latest("id")

    assert reply.prompt[0]["role"] == "system" and reply.prompt[-1]["content"] == TURNS[0]


@pytest.fixture
def tag_calls(monkeypatch):
    """How many times the tagger ran, through any of the modules that call it (the real tagger runs)."""
    calls = []
    for module in (analyser, readings):
        real = module.tag

        def counting(text, real=real):
            calls.append(text)
            return real(text)

        monkeypatch.setattr(module, "tag", counting)
    return calls


def test_a_turn_tags_the_learners_sentence_once(auth_client, session, tag_calls):
    send(auth_client, session, "はじめまして。")
    tag_calls.clear()

    send(auth_client, session, TURNS[0])

    assert tag_calls.count(TURNS[0]) == 1


@pytest.mark.asyncio
async def test_a_socket_turn_reaches_the_tabs_in_two_channel_layer_messages_and_one_delta(
    user, session, monkeypatch, redis_commands
):
    channel_layers.backends.clear()
    layer = get_channel_layer()
    sent = []
    # the Redis layer sends to several groups at once (conversations.events)
    method = "group_send_many" if hasattr(layer, "group_send_many") else "group_send"
    group_send = getattr(layer, method)

    async def counting(groups, message):
        sent.append(message["type"])
        await group_send(groups, message)

    monkeypatch.setattr(layer, method, counting)
    token = (await database_sync_to_async(tokens_for)(user=user))["token"]
    socket = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[(b"origin", b"http://127.0.0.1:8000")])
    assert (await socket.connect())[0]
    frames = []

    async def turn(text, client_id):
        await socket.send_json_to(
            {"type": "user_message", "session_id": str(session.id), "content": text, "client_id": client_id}
        )
        while (frame := await socket.receive_json_from(timeout=5))["type"] != "ai.message":
            frames.append(frame["type"])
        while replies._background:
            await next(iter(replies._background))
        while not await socket.receive_nothing(timeout=0.1):
            frames.append((await socket.receive_json_from())["type"])

    await turn("はじめまして。", "warm")
    sent.clear()
    frames.clear()

    redis_commands.clear()
    await turn(TURNS[0], "counted")

    # the turn, the partner's typing and the reply, written at once, with its deltas as one frame;
    # mistakes and vocabulary together
    assert 0 < len(sent) <= 2, sent
    if isinstance(layer, RedisChannelLayer):
        # the tab is this process's: each message costs the read of its group (one command), and none passes
        # through the process's Redis queue (it would be popped, then cleared with ZPOPMIN)
        assert redis_commands.count("ZRANGEBYSCORE") == len(sent) and "ZPOPMIN" not in redis_commands, redis_commands
    assert frames[:4] == ["ack", "message", "ai.typing", "ai.delta"] and "mistakes" in frames
    assert frames.count("ai.delta") == 1
    await socket.disconnect()
    channel_layers.backends.clear()


@pytest.fixture
def socket_turns(user, session, monkeypatch):
    """`turns(texts)`: the learner's turns over one socket, each waited for to the end of its analysis
    (a warm-up turn first); returns the functions handed to a worker thread meanwhile."""

    async def turns(texts):
        token = (await database_sync_to_async(tokens_for)(user=user))["token"]
        socket = WebsocketCommunicator(
            application, f"/ws/?token={token}", headers=[(b"origin", b"http://127.0.0.1:8000")]
        )
        assert (await socket.connect())[0]
        hops = []
        hop = SyncToAsync.__call__

        def counting(self, *args, **kwargs):
            hops.append(getattr(self.func, "__name__", repr(self.func)))
            return hop(self, *args, **kwargs)

        async def turn(text, client_id):
            await socket.send_json_to(
                {"type": "user_message", "session_id": str(session.id), "content": text, "client_id": client_id}
            )
            while (await socket.receive_json_from(timeout=5))["type"] != "ai.message":
                pass
            while replies._background:
                await next(iter(replies._background))
            while not await socket.receive_nothing(timeout=0.1):
                await socket.receive_json_from()

        await turn("はじめまして。", "warm")
        monkeypatch.setattr(SyncToAsync, "__call__", counting)
        for n, text in enumerate(texts):
            await turn(text, f"counted-{n}")
        monkeypatch.undo()
        await socket.disconnect()
        return hops

    return turns


@pytest.mark.asyncio
async def test_a_socket_turn_hops_to_a_worker_thread_three_times(socket_turns):
    hops = await socket_turns(TURNS[:1])

    # the turn stored with its reply's plan and the scenario's goals still open; the reply stored with
    # its audit row; what the analysis found, with its audit rows
    assert len(hops) <= 3, hops


@pytest.mark.asyncio
async def test_the_running_summary_costs_a_turn_one_more_hop(session, socket_turns):
    # when eight more turns are taken: the sixth is the first whose window is long enough to fold
    hops = await socket_turns(TURNS * 2)

    # then the summary was refreshed once, and found due from the window the reply cached: its one
    # extra hop is the summary's storing
    summarised = await database_sync_to_async(lambda: type(session).objects.get(id=session.id).summary_up_to_seq)()
    assert summarised > 0
    assert len(hops) <= 8 * 3 + 1, hops
