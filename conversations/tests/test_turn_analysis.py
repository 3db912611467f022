"""A turn's analysis keeps its calls' audit rows with what they found, in the one database call it makes for that."""

import asgiref.sync
import pytest
from channels.db import database_sync_to_async

from ai.models import AIInteraction
from conversations.models import Message, MessageRole, PracticeSession
from conversations.services.analysis import turn_analyse
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import drain, frames_until, open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("replies_settled")]

WRONG = "わたしを がくせい です"


@pytest.fixture
def session(user):
    return practice_session(user=user, strictness="strict")


@database_sync_to_async
def _turn_and_reply(session):
    session = PracticeSession.objects.select_related("conversation", "template", "user").get(id=session.id)
    messages = Message.objects.filter(conversation_id=session.conversation_id).order_by("-seq")
    user_message = messages.filter(role=MessageRole.USER).first()
    return session, user_message, messages.filter(role=MessageRole.ASSISTANT).first()


@pytest.fixture
def hops(monkeypatch):
    """How many times work was handed to a worker thread (every database call is one such hop)."""
    counted = []
    call = asgiref.sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        counted.append(getattr(self.func, "__qualname__", type(self.func).__name__))
        return await call(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.SyncToAsync, "__call__", counting)
    return counted


async def test_an_offline_turns_analysis_takes_two_hops_and_writes_a_row_per_call(user, session, hops):
    # given a turn answered by the offline partner over the socket
    socket = await open_socket(user)
    await socket.send_json_to(
        {"type": "user_message", "session_id": str(session.id), "content": WRONG, "client_id": "t"}
    )
    await frames_until(socket, "mistakes", timeout=20)
    await drain(socket)
    await socket.disconnect()
    session, user_message, ai_message = await _turn_and_reply(session)
    await AIInteraction.objects.all().adelete()
    hops.clear()

    # when the turn is analysed again (no summary due)
    mistakes, _ = await turn_analyse(session=session, user_message=user_message, ai_message=ai_message, window=[])

    # then it read the scenario's open goals and kept what it found, the calls' rows with it: no other hop
    assert len(hops) == 2, hops
    assert mistakes
    rows = await database_sync_to_async(
        lambda: [
            (row.purpose, row.status, row.prompt[-1]["content"]) for row in AIInteraction.objects.order_by("purpose")
        ]
    )()
    assert rows == [("analyse_turn", "ok", WRONG), ("vocabulary", "ok", ai_message.content)]
