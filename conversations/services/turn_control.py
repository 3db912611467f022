"""The learner's control over the last exchange of a practice session: stop, regenerate, edit.

Each keeps the reply invariants of turn_submit: every seq is handed out under the conversation
lock, a reply is only ever `complete` when it was written to the end, one reply is written at a
time. Replaced messages are never deleted (seqs stay gap-free): they become `superseded`, which
every transcript and prompt leaves out.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction

from config.exceptions import Conflict
from conversations.exceptions import MessageNotFound, SessionClosed, TurnInProgress
from conversations.models import Message, MessageRole, MessageState, PracticeSession, SessionStatus
from conversations.scenarios.sessions import scenario_turn_regenerate, scenario_turn_undo
from conversations.services.leases import lease_renew
from conversations.services.messages import (
    client_id_clean,
    content_clean,
    message_find_by_client_id,
    messages_append,
)
from conversations.services.messaging import message_throttle_check
from conversations.services.replies import reply_stop_signal, stream_state
from conversations.services.sessions import (
    PLACEHOLDER,
    TurnStart,
    placeholder_append,
    reply_in_progress,
    session_lock,
    turn_submit,
)
from conversations.signals import turn_replaced


class NothingToStop(Conflict):
    code = "nothing_to_stop"
    default_message = "No reply is being written."


class NothingToRegenerate(Conflict):
    code = "nothing_to_regenerate"
    default_message = "There is no reply to your message to write again."


class NotEditable(Conflict):
    code = "not_editable"
    default_message = "Only your last message can be edited."


@dataclass(frozen=True)
class TurnReplaced:
    """A new reply (or a new turn and its reply) and the messages it replaces, now `superseded`."""

    turn: TurnStart
    replaced: list[Message]


def _visible(conversation):
    return conversation.messages.exclude(state=MessageState.SUPERSEDED).order_by("-seq")


def _supersede(messages: list[Message]) -> None:
    Message.objects.filter(id__in=[m.id for m in messages]).update(state=MessageState.SUPERSEDED)
    for message in messages:
        message.state = MessageState.SUPERSEDED


def _open_and_idle(session: PracticeSession, conversation) -> None:
    if session.status != SessionStatus.IN_PROGRESS:
        raise SessionClosed()
    if reply_in_progress(conversation=conversation):
        raise TurnInProgress()


@transaction.atomic
def reply_stop(*, session: PracticeSession) -> Message:
    """Stop the reply being written: it keeps the text streamed so far, marked `stopped`, never `complete`.

    Raises NothingToStop when no reply is being written.
    """
    conversation = session_lock(session=session)
    reply = conversation.messages.filter(state=MessageState.STREAMING, role=MessageRole.ASSISTANT).first()
    if reply is None:
        raise NothingToStop()
    reply.content = (stream_state(message_id=reply.id) or {}).get("text", "")
    reply.state = MessageState.STOPPED
    reply.meta = {**reply.meta, "stopped": True}
    reply.save(update_fields=["content", "state", "meta"])
    reply_stop_signal(message_id=reply.id)
    return reply


@transaction.atomic
def reply_regenerate(*, session: PracticeSession) -> TurnReplaced:
    """Replace the last reply with a new one to the same turn. Raises MessageThrottled, NothingToRegenerate,
    TurnInProgress.

    A new reply counts against the learner's MESSAGE_RATE like a turn: the offline partner's calls
    count against no gateway limit (ai.engine), so without it a loop of regenerates would have none.
    """
    message_throttle_check(user_id=session.user_id)
    conversation = session_lock(session=session)
    _open_and_idle(session, conversation)
    visible = _visible(conversation)
    reply = visible.first()
    turn = visible.filter(role=MessageRole.USER).first()
    if reply is None or reply.role != MessageRole.ASSISTANT or turn is None:
        raise NothingToRegenerate()
    _supersede([reply])
    scenario_turn_regenerate(session=session, seq=turn.seq)
    return TurnReplaced(
        turn=TurnStart(user_message=turn, created=False, ai_message=placeholder_append(conversation), generate=True),
        replaced=[reply],
    )


@transaction.atomic
def turn_edit(*, session: PracticeSession, message_id, content, client_id=None) -> TurnReplaced:
    """Replace the learner's last turn (and its reply) with new text, asking for a new reply.

    The old turn's findings are dropped; the new turn is analysed like any other. A resend with the
    same client_id stores nothing again. Raises MessageThrottled (counted as a turn, see
    reply_regenerate), MessageNotFound (not a message id), NotEditable, InvalidContent, SessionClosed,
    TurnInProgress.
    """
    message_throttle_check(user_id=session.user_id)
    try:
        message_id = uuid.UUID(str(message_id))
    except ValueError as exc:
        raise MessageNotFound() from exc
    content = content_clean(content=content)
    client_id = client_id_clean(client_id=client_id)
    conversation = session_lock(session=session)
    if message_find_by_client_id(sender=session.user, client_id=client_id) is not None:
        return TurnReplaced(turn=turn_submit(session=session, content=content, client_id=client_id), replaced=[])
    _open_and_idle(session, conversation)
    visible = _visible(conversation)
    turn = visible.filter(role=MessageRole.USER).first()
    if turn is None or turn.id != message_id:
        raise NotEditable()
    replaced = list(visible.filter(seq__gte=turn.seq).order_by("seq"))
    _supersede(replaced)
    turn_replaced.send(sender=Message, message_id=turn.id)
    scenario_turn_undo(session=session, seq=turn.seq)
    user_message, ai_message = messages_append(
        conversation=conversation,
        messages=[
            {"sender": session.user, "role": MessageRole.USER, "content": content, "client_id": client_id},
            PLACEHOLDER,
        ],
    )
    lease_renew(message_id=ai_message.id)
    return TurnReplaced(
        turn=TurnStart(user_message=user_message, created=True, ai_message=ai_message, generate=True),
        replaced=replaced,
    )
