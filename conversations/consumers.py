"""The one WebSocket consumer: every frame is JSON with a `type` (docs/websocket.md).

The consumer only translates frames into service calls and results into frames; every ORM call
goes through config.db.database_async (a bounded pool of database threads).
"""

import asyncio
import contextlib
import copy
import json
import logging
import re
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from accounts.websocket import SocketAuthMixin
from config.db import database_async
from config.exceptions import ParleyError
from config.server import MAX_FRAME_CHARS
from config.timers import ProcessTimer
from conversations import selectors
from conversations.events import user_group, user_send, user_send_best_effort
from conversations.models import MessageState
from conversations.services import messaging
from conversations.services import sessions as session_services
from conversations.services.presence import heartbeats, presence_connect, presence_disconnect
from conversations.services.replies import reply_generate_in_background, stream_state
from conversations.services.serializers import ack_frame, ai_message_frame, message_frame, reply_error_frame
from conversations.services.turn_control import TurnReplaced, reply_regenerate, reply_stop, turn_edit

logger = logging.getLogger("parley.ws")

CLOSE_UNAUTHENTICATED = 4401
SYNC_LIMIT = 500
# Delivery receipts are written at most this often, for all the sockets of the process: one
# watermark update a user and conversation covers every message that arrived in the meantime.
DELIVERY_FLUSH_SECONDS = 1
# How long a reply's last frame may take through the channel layer once its task is done, before
# the socket's watch sends the stored outcome itself.
REPLY_END_GRACE_SECONDS = 1


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

_presence_connect = database_async(presence_connect)
_presence_disconnect = database_async(presence_disconnect)
_message_send = database_async(messaging.message_send)
_receipts_delivered_all = database_async(messaging.receipts_delivered_all)
_receipt_read = database_async(messaging.receipt_read)
_typing_relay = database_async(messaging.typing_relay)
_messages_since = database_async(selectors.messages_since)
_message_find = database_async(selectors.message_find)
_abandoned_reply_fail = database_async(session_services.abandoned_reply_fail)
_reply_abandoned = sync_to_async(session_services.reply_abandoned, thread_sensitive=False)


@database_async
def _stream_resume(*, message):
    """For a reply still `streaming`, in one hop: its session's id, whether it was abandoned, and
    its stream so far (replies.stream_state)."""
    return (
        selectors.session_id_for(conversation_id=message.conversation_id),
        session_services.reply_abandoned(message=message),
        stream_state(message_id=message.id),
    )


@database_async
def _session_hints(*, user, session_id) -> list[dict]:
    return selectors.session_hints(session=selectors.session_get(user=user, session_id=session_id))


@database_async
def _turn_submit(*, user, session_id: str, content, client_id, known=None):
    """The session and the stored turn. `known`: the session as this socket read it for an earlier
    turn (whose it is never changes; turn_submit refreshes its fields under the lock), copied so a
    reply still being analysed keeps its own. Its template is the one read then.

    One hop to a database thread for the three calls (the turn comes with its reply's plan): the
    ack waits on every hop, and the reply then starts without one of its own. The same
    per-user budget as messages to people (MESSAGE_RATE) comes first: a flood is refused unstored.
    """
    messaging.message_throttle_check(user_id=user.id)
    session = copy.copy(known) or selectors.session_get(user=user, session_id=session_id)
    return session, session_services.turn_submit(session=session, content=content, client_id=client_id)


@database_async
def _session_change(change, *, user, session_id: str, **kwargs):
    # One hop to a database thread for the session and the change.
    session = selectors.session_get(user=user, session_id=session_id)
    return session, change(session=session, **kwargs)


def _storable(frame) -> bool:
    """Whether every string in the frame can be stored and echoed.

    JSON escapes decode to NUL (PostgreSQL text refuses it) and to unpaired surrogates (UTF-8
    cannot encode them, so even the error echoing them would fail); both are refused up front.
    Iterative, because a frame may nest as deep as the JSON decoder allows.
    """
    pending = [frame]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                return False
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


class Deliveries(ProcessTimer):
    """What the sockets of this process received from others, recorded as delivery receipts by one
    timer for them all: every DELIVERY_FLUSH_SECONDS, one database call writes the users' watermarks,
    every DM's in one statement (a socket each would cost a timer, a task and a database call every
    second it receives)."""

    def __init__(self):
        self.seen: dict = {}  # user id -> (user, {conversation_id: (seq, sender_id)})

    def note(self, user, message: dict) -> None:
        _, latest = self.seen.setdefault(user.id, (user, {}))
        conversation_id = message["conversation_id"]
        if message["seq"] > latest.get(conversation_id, (0, None))[0]:
            latest[conversation_id] = (message["seq"], message["sender_id"])
        self.start()

    async def flush(self) -> None:
        """Record what was seen so far now."""
        seen, self.seen = self.seen, {}
        if not seen:
            return
        try:
            await _receipts_delivered_all(seen=list(seen.values()))
        except Exception:
            # The boundary of the timer: the next deliveries are still recorded.
            logger.exception("delivery receipts of %s users not recorded", len(seen))

    def busy(self) -> bool:
        return bool(self.seen)

    def interval(self) -> float:
        return DELIVERY_FLUSH_SECONDS

    async def tick(self) -> None:
        await self.flush()


deliveries = Deliveries()


class ParleyConsumer(SocketAuthMixin, AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            if hasattr(self, "group") and heartbeats.counts(channel_name=self.channel_name):
                # Ended without disconnect() (its process lost the channel layer, say): the socket
                # stops being counted, or its user would look online until the process restarts.
                await self._forget()

    async def dispatch(self, message):
        # channels' dispatch first closes stale database connections, a hop to its one shared
        # thread before every frame and every event. Nothing here uses the ORM on that thread:
        # every call goes through config.db, which tidies its own connections.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            if not self.auth_frame_awaited():
                await self.close(code=CLOSE_UNAUTHENTICATED)
                return
            # Opened to authenticate with its first frame (docs/websocket.md): nothing else until then.
            await self.accept(self.auth_subprotocol())
            self.auth_frame_wait()
            return
        await self._join(user)
        await self.accept(self.auth_subprotocol())
        self.auth_expiry_start(self.scope.get("token_expires"))

    async def _join(self, user) -> None:
        self.user = user
        self.group = user_group(user.id)
        self.reply_watches: dict[str, asyncio.Task] = {}
        # Practice sessions this socket took turns in, by id: a turn does not read them again.
        self.sessions: dict[str, object] = {}
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Counted before the handshake completes: once the client sees its socket open, closing
        # another tab of the same user cannot make them look offline.
        await _presence_connect(user_id=user.id, channel_name=self.channel_name)
        heartbeats.add(channel_name=self.channel_name, user_id=user.id)

    async def disconnect(self, code):
        self.auth_expiry_stop()
        if not hasattr(self, "group"):
            return
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self._forget()

    async def _forget(self) -> None:
        """The socket is gone: stop its heartbeat and timers, count it out (what it delivered is recorded
        with the process's next delivery receipts)."""
        heartbeats.discard(channel_name=self.channel_name)
        for watch in self.reply_watches.values():
            watch.cancel()
        try:
            await _presence_disconnect(user_id=self.user.id, channel_name=self.channel_name)
        except Exception:
            # disconnect() raising would fail the socket's close; presence entries lapse anyway.
            logger.exception("could not count out socket %s of user %s", self.channel_name, self.user.id)

    async def receive(self, text_data=None, bytes_data=None):
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.send_error("invalid", "Frames must be JSON text of at most 64,000 characters.")
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):
            await self.send_error("invalid", "Frames must be JSON objects.")
            return
        if not _storable(frame):
            echo = self._echo(frame) if isinstance(frame, dict) else {}
            await self.send_error(
                "invalid",
                "Text must not contain NUL characters or unpaired surrogates.",
                **{key: value for key, value in echo.items() if _storable(value)},
            )
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("invalid", "Every frame needs a string `type`.")
            return
        if frame["type"] == "auth" or not hasattr(self, "user"):
            await self.on_auth(frame)
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
        await self._deliver(event["payload"])

    async def client_events(self, event: dict) -> None:
        """Several frames sent together (a reply's deltas while the previous send was in flight), in order."""
        for payload in event["payloads"]:
            await self._deliver(payload)

    async def client_each(self, event: dict) -> None:
        """Frames for several users in one message (a process's delivery receipts): this user's, in order."""
        for payload in event["payloads"].get(str(self.user.id), ()):
            await self._deliver(payload)

    async def _deliver(self, payload: dict) -> None:
        await self.send_json(payload)
        if self.reply_watches:
            self._reply_watch_end(payload)
        message = payload.get("message") if payload.get("type") == "message" else None
        if message and message.get("sender_id") not in (None, str(self.user.id)):
            # Someone else's message reached this socket: recorded shortly, with the process's others.
            deliveries.note(self.user, message)

    async def session_revoked(self, event: dict) -> None:
        """The user signed out somewhere: every socket of theirs closes, whichever token opened it."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False, default=str))

    async def send_error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def on_auth(self, frame: dict) -> None:
        """The first frame of a socket opened for it, or a newer token for a socket about to expire."""
        joining = not hasattr(self, "user")
        if frame["type"] != "auth":
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        user = await self.auth_frame(frame)
        if user is not None and joining:
            await self._join(user)

    async def on_ping(self, frame: dict) -> None:
        await self.send_json({"type": "pong"})

    async def on_user_message(self, frame: dict) -> None:
        """A turn in a practice session: stored and acked before the partner is asked."""
        session_id = str(frame.get("session_id"))
        session, turn = await _turn_submit(
            user=self.user,
            session_id=session_id,
            content=frame.get("content"),
            client_id=frame.get("client_id"),
            known=self.sessions.get(session_id),
        )
        self.sessions[session_id] = session
        await self._turn_started(session, turn)

    async def _turn_started(self, session, turn) -> None:
        message = turn.user_message
        await self.send_json(ack_frame(message, session_id=session.id))
        if turn.generate:
            # The turn and the partner's typing reach every tab in the reply's first channel-layer
            # message (with all of it when it is written at once); with the layer down the reply
            # is still written and stored (tabs catch up with `sync`).
            task = reply_generate_in_background(
                session=session,
                user_message=message,
                ai_message=turn.ai_message,
                preface=[message_frame(message)] if turn.created else [],
                plan=turn.plan,
            )
            self._reply_watch_start(turn.ai_message, session.id, task)
        elif turn.ai_message is not None:
            # A resend of an answered turn: the client may have missed the reply, so it gets it again.
            await self._reply_resend(session.id, turn.ai_message)

    async def _replaced(self, change: TurnReplaced) -> None:
        """Every tab drops the replaced messages: each comes back `superseded`, all in one channel-layer
        message (best effort, as for a turn)."""
        await user_send_best_effort(self.user.id, *(message_frame(message) for message in change.replaced))

    async def on_stop(self, frame: dict) -> None:
        """Stop the reply being written; every tab gets it as stored, `stopped`."""
        session, reply = await _session_change(reply_stop, user=self.user, session_id=str(frame.get("session_id")))
        await user_send(self.user.id, ai_message_frame(reply, session_id=session.id))

    async def on_regenerate(self, frame: dict) -> None:
        """Write the last reply again; the turn's mistakes stand."""
        session, change = await _session_change(
            reply_regenerate, user=self.user, session_id=str(frame.get("session_id"))
        )
        await self._replaced(change)
        task = reply_generate_in_background(
            session=session,
            user_message=change.turn.user_message,
            ai_message=change.turn.ai_message,
            find_mistakes=False,
        )
        self._reply_watch_start(change.turn.ai_message, session.id, task)

    async def on_edit(self, frame: dict) -> None:
        """Replace the learner's last turn and its reply, then answer the new turn."""
        session, change = await _session_change(
            turn_edit,
            user=self.user,
            session_id=str(frame.get("session_id")),
            message_id=frame.get("message_id"),
            content=frame.get("content"),
            client_id=frame.get("client_id"),
        )
        await self._replaced(change)
        await self._turn_started(session, change.turn)

    async def on_hints(self, frame: dict) -> None:
        """ "Help me reply": 2 or 3 replies that fit where the session is; another user's session is not_found."""
        session_id = str(frame.get("session_id"))
        items = await _session_hints(user=self.user, session_id=session_id)
        await self.send_json({"type": "hints", "session_id": session_id, "items": items})

    async def on_send_message(self, frame: dict) -> None:
        """A message to a person (`to`) or a group (`group_id`, or any DM/group by `conversation_id`)."""
        message, _ = await _message_send(
            sender=self.user,
            to=frame.get("to"),
            conversation_id=frame.get("group_id") or frame.get("conversation_id"),
            content=frame.get("content"),
            client_id=frame.get("client_id"),
        )
        await self.send_json(ack_frame(message))

    async def on_typing(self, frame: dict) -> None:
        await _typing_relay(user=self.user, conversation_id=frame.get("conversation_id"))

    async def on_read(self, frame: dict) -> None:
        await _receipt_read(
            user=self.user, conversation_id=frame.get("conversation_id"), up_to_seq=frame.get("up_to_seq")
        )

    async def on_sync(self, frame: dict) -> None:
        """What was missed since `after_seq`, then the reply so far of a message still being written."""
        after_seq = frame.get("after_seq", 0)
        if not isinstance(after_seq, int) or isinstance(after_seq, bool) or after_seq < 0:
            raise ParleyError("after_seq must be a non-negative integer.")
        messages = await _messages_since(
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
                await self.send_json(message_frame(message))
        await self.send_json(
            {
                "type": "synced",
                "conversation_id": str(messages[0].conversation_id) if messages else frame.get("conversation_id"),
                "up_to_seq": messages[-1].seq if messages else after_seq,
                "more": len(messages) == SYNC_LIMIT,
            }
        )

    async def _send_stream_snapshot(self, message) -> None:
        session_id, abandoned, state = await _stream_resume(message=message)
        if abandoned and await self._abandoned_fail(message, session_id):
            return
        self._reply_watch_start(message, session_id)
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

    async def _reply_resend(self, session_id, reply) -> None:
        if reply.state == MessageState.STREAMING:
            await self._send_stream_snapshot(reply)
        else:
            await self.send_json(ai_message_frame(reply, session_id=session_id))

    async def _abandoned_fail(self, message, session_id) -> bool:
        """Fail a reply whose task died and tell this socket, as for an outage: the turn can be resent."""
        if not await _abandoned_reply_fail(message=message):
            return False
        await self.send_json(message_frame(message))
        await self.send_json(
            reply_error_frame(
                session_id,
                message.id,
                message="The reply was interrupted. Your message is saved; resend it to get a reply.",
            )
        )
        return True

    def _reply_watch_start(self, message, session_id, task: asyncio.Task | None = None) -> None:
        key = str(message.id)
        if key not in self.reply_watches:
            self.reply_watches[key] = asyncio.create_task(self._reply_watch(message, session_id, task))
            self.reply_watches[key].add_done_callback(lambda _: self.reply_watches.pop(key, None))

    def _reply_watch_end(self, payload: dict) -> None:
        """A reply's end reached this socket (its stored message, or its error): no need to watch it."""
        if payload.get("type") == "error":
            key = payload.get("message_id")
        elif (
            payload.get("type") in ("ai.message", "message")
            and payload["message"].get("state") != MessageState.STREAMING
        ):
            key = payload["message"].get("id")
        else:
            return
        watch = self.reply_watches.get(key)
        if watch is not None and watch is not asyncio.current_task():
            watch.cancel()

    async def _reply_watch(self, message, session_id, task: asyncio.Task | None) -> None:
        """Make sure this socket learns how a reply ended, even if the frame saying so was lost.

        A reply written by this process is awaited (`task`); a resumed one, written anywhere, is
        watched through its lease. Once it is no longer being written and its end has not reached
        this socket (which cancels the watch), the socket gets the stored outcome directly: the
        reply, or the failure and `ai_unavailable`. Whatever goes wrong here (the database
        restarting, say) also ends the turn for this socket with `ai_unavailable`: resending the
        turn is always safe (docs/websocket.md).
        """
        try:
            if task is not None:
                await asyncio.wait([task])
            else:
                while not await _reply_abandoned(message=message):
                    await asyncio.sleep(settings.REPLY_LEASE_SECONDS / 3)
            await asyncio.sleep(REPLY_END_GRACE_SECONDS)
            reply = await _message_find(message_id=message.id)
            if reply is not None and reply.state == MessageState.STREAMING:
                if await self._abandoned_fail(reply, session_id):
                    return
                reply = await _message_find(message_id=message.id)
            await self._reply_end_send(reply, session_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("socket lost track of reply %s for user %s", message.id, self.user.id)
            with contextlib.suppress(Exception):
                await self.send_json(
                    reply_error_frame(
                        session_id,
                        message.id,
                        message="We lost track of the reply. Your message is saved; resend it to get the reply.",
                    )
                )

    async def _reply_end_send(self, reply, session_id) -> None:
        if reply is None or reply.state == MessageState.SUPERSEDED:
            # Replaced meanwhile (an edit, a regenerate): every tab had the `superseded` frame.
            return
        if reply.state == MessageState.FAILED:
            await self.send_json(message_frame(reply))
            await self.send_json(
                reply_error_frame(
                    session_id,
                    reply.id,
                    message="The AI partner could not answer. Your message is saved; resend it to get a reply.",
                )
            )
            return
        await self.send_json(ai_message_frame(reply, session_id=session_id))

    handlers = {
        "ping": on_ping,
        "user_message": on_user_message,
        "stop": on_stop,
        "regenerate": on_regenerate,
        "edit": on_edit,
        "sync": on_sync,
        "hints": on_hints,
        "send_message": on_send_message,
        "typing": on_typing,
        "read": on_read,
    }


def frame_handler_register(frame_type: str, handler: Callable[[ParleyConsumer, dict], Awaitable[None]]) -> None:
    """Let an app above the socket hub answer a frame type (the assistant's `assistant_message`), from
    its AppConfig.ready(): `await handler(consumer, frame)`; a ParleyError it raises becomes an error frame."""
    ParleyConsumer.handlers[frame_type] = handler
