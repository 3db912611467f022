"""The assistant on the socket: `assistant_message` → ack, ai.typing, ai.delta pieces, ai.message.

The agent calls tools before it can say anything, so the answer is streamed once the tool loop is
done, in word-sized pieces, the way practice replies arrive.
"""

import re

from channels.db import database_sync_to_async

from assistant.api import assistant_message_payload
from assistant.services import assistant_reply, assistant_turn_submit
from conversations.services.messaging import message_throttle_check
from conversations.services.serializers import ack_frame, ai_message_frame

_PIECES = re.compile(r"\S+\s*|\s+")


@database_sync_to_async
def _turn_submit(*, user, **kwargs):
    """The stored question, counted first against the same per-user MESSAGE_RATE as the socket's other
    messages: the socket has no other limit, and the offline assistant none of the gateway's."""
    message_throttle_check(user_id=user.id)
    return assistant_turn_submit(user=user, **kwargs)


async def on_assistant_message(consumer, frame: dict) -> None:
    """Store the learner's message, ack it, then stream the assistant's answer; errors go to the consumer."""
    turn = await _turn_submit(
        user=consumer.user,
        content=frame.get("content"),
        conversation_id=frame.get("conversation_id"),
        client_id=frame.get("client_id"),
    )
    conversation_id = str(turn.conversation.pk)
    message = turn.user_message
    await consumer.send_json(ack_frame(message))
    await consumer.send_json({"type": "ai.typing", "conversation_id": conversation_id})
    reply = await assistant_reply(user=consumer.user, turn=turn)
    for index, piece in enumerate(_PIECES.findall(reply.content)):
        await consumer.send_json(
            {
                "type": "ai.delta",
                "conversation_id": conversation_id,
                "message_id": str(reply.id),
                "index": index,
                "delta": piece,
            }
        )
    await consumer.send_json(
        ai_message_frame(reply, payload=assistant_message_payload(reply), conversation_id=conversation_id)
    )
