"""The one WebSocket consumer: every frame is JSON with a `type` (docs/websocket.md).

The consumer only translates frames into service calls and results into frames; every ORM call
goes through database_sync_to_async.
"""

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from config.exceptions import ParleyError
from conversations import selectors
from conversations.assistant_socket import on_assistant_message
from conversations.events import user_group, user_send
from conversations.models import MessageState
from conversations.services import sessions as session_services
from conversations.services.replies import reply_generate_in_background, stream_state
from conversations.services.serializers import message_payload

logger = logging.getLogger("parley.ws")

CLOSE_UNAUTHENTICATED = 4401
MAX_FRAME_CHARS = 64_000
SYNC_LIMIT = 500


class ParleyConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.group = user_group(user.id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_error("invalid", "Frames must be JSON text of at most 64,000 characters.")
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.send_error("invalid", "Frames must be JSON objects.")
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("invalid", "Every frame needs a string `type`.")
            return
        handler = self.handlers.get(frame["type"])
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {frame['type'][:40]!r}.")
            return
        try:
            await handler(self, frame)
        except ParleyError as exc:
            await self.send_error(exc.code, exc.message, **self._echo(frame))
        except Exception:
            # The boundary: one log line with the context, the socket stays open.
            logger.exception("socket frame %r failed for user %s", frame.get("type"), self.user.id)
            await self.send_error(
                "server_error", "Something went wrong on our side. Please retry.", **self._echo(frame)
            )

    @staticmethod
    def _echo(frame: dict) -> dict:
        return {
            key: frame[key] for key in ("client_id", "session_id", "conversation_id") if isinstance(frame.get(key), str)
        }

    async def client_event(self, event: dict) -> None:
        """A frame for this user from anywhere (another tab, another process, a generation task)."""
        await self.send_json(event["payload"])

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False, default=str))

    async def send_error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def on_ping(self, frame: dict) -> None:
        await self.send_json({"type": "pong"})

    async def on_user_message(self, frame: dict) -> None:
        """A turn in a practice session: stored and acked before the partner is asked."""
        session = await database_sync_to_async(session_services.session_get)(
            user=self.user, session_id=str(frame.get("session_id"))
        )
        turn = await database_sync_to_async(session_services.turn_submit)(
            session=session, content=frame.get("content"), client_id=frame.get("client_id")
        )
        message = turn.user_message
        await self.send_json(
            {
                "type": "ack",
                "client_id": message.client_id,
                "message_id": str(message.id),
                "seq": message.seq,
                "conversation_id": str(message.conversation_id),
                "session_id": str(session.id),
            }
        )
        if turn.created:
            await user_send(self.user.id, {"type": "message", "message": message_payload(message)})
        if turn.generate:
            reply_generate_in_background(
                session_id=session.id, user_message_id=message.id, ai_message_id=turn.ai_message.id
            )

    async def on_sync(self, frame: dict) -> None:
        """What was missed since `after_seq`, then the reply so far of a message still being written."""
        after_seq = frame.get("after_seq", 0)
        if not isinstance(after_seq, int) or isinstance(after_seq, bool) or after_seq < 0:
            raise ParleyError("after_seq must be a non-negative integer.")
        messages = await database_sync_to_async(selectors.messages_since)(
            user=self.user,
            conversation_id=frame.get("conversation_id"),
            session_id=frame.get("session_id"),
            after_seq=after_seq,
            limit=SYNC_LIMIT,
        )
        for message in messages:
            if message.state == MessageState.STREAMING:
                await self._send_stream_snapshot(message)
            else:
                await self.send_json({"type": "message", "message": message_payload(message)})
        await self.send_json(
            {
                "type": "synced",
                "conversation_id": str(messages[0].conversation_id) if messages else frame.get("conversation_id"),
                "up_to_seq": messages[-1].seq if messages else after_seq,
                "more": len(messages) == SYNC_LIMIT,
            }
        )

    async def _send_stream_snapshot(self, message) -> None:
        state = await database_sync_to_async(stream_state)(message_id=message.id)
        session_id = await database_sync_to_async(selectors.session_id_for)(conversation_id=message.conversation_id)
        await self.send_json(
            {
                "type": "ai.delta",
                "session_id": str(session_id) if session_id else None,
                "message_id": str(message.id),
                "index": state["index"] if state else -1,
                "delta": state["text"] if state else "",
                "snapshot": True,
            }
        )

    handlers = {"ping": on_ping, "user_message": on_user_message, "sync": on_sync}
    handlers["assistant_message"] = on_assistant_message
