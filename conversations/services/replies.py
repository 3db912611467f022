"""The partner's reply to a turn: streamed to every tab, stored once, then analysed.

The generation belongs to the turn, not to the socket that asked: it runs to the end even when
the tab closes, and the text so far is kept in the cache (keyed by message) so a client that
reconnects, through any process, gets the reply so far and the rest of the stream.

Outages: the stream to the sockets and the cached text are best effort, so a reply outlives a
Redis outage and is stored complete (clients get it by `sync` after reconnecting); storing the
outcome is retried while the database is unreachable; and the task renews a lease (leases.py)
so that, if its process dies, other processes see within seconds that the reply was abandoned.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError

import ai
from config.compiled import CompiledUpdate
from config.db import database_async
from conversations.events import user_send_best_effort, users_send
from conversations.models import Message, MessageState, PracticeSession
from conversations.services import context
from conversations.services.analysis import turn_analyse
from conversations.services.leases import CACHE_ERRORS, lease_release, lease_renew
from conversations.services.metrics import observe_reply
from conversations.services.serializers import ai_message_frame, reply_error_frame

logger = logging.getLogger("parley.sessions")

STREAM_TTL_SECONDS = 600
_STREAM_KEY = "stream:{}"
_STOP_KEY = "stop:{}"
# How often a reply being written looks for the learner's stop, which may come through any process.
STOP_POLL_SECONDS = 0.2
_background: set[asyncio.Task] = set()


def stream_state(*, message_id) -> dict | None:
    """The reply so far of a message being written: {"text", "index"} (index of the last delta)."""
    return cache.get(_STREAM_KEY.format(message_id))


def reply_stop_signal(*, message_id) -> None:
    """Tell the task writing this reply, in whichever process, to stop at once."""
    try:
        cache.set(_STOP_KEY.format(message_id), True, STREAM_TTL_SECONDS)
    except CACHE_ERRORS as exc:
        # The task still finds the reply no longer `streaming` when it stores it, and leaves it stopped.
        logger.warning("could not signal the stop of reply %s: %s", message_id, exc)


def _stop_requested(message_id) -> bool:
    try:
        return bool(cache.get(_STOP_KEY.format(message_id)))
    except CACHE_ERRORS:
        return False


_stop_requested_async = sync_to_async(_stop_requested, thread_sensitive=False)


@dataclass
class ReplyOutcome:
    message: Message | None = None
    mistakes: list[dict] = field(default_factory=list)
    vocabulary: list[dict] = field(default_factory=list)
    error: ai.AIUnavailable | None = None


@database_async
def _load(session_id, user_message_id, ai_message_id):
    session = PracticeSession.objects.select_related("template", "user", "conversation").get(id=session_id)
    return session, Message.objects.get(id=user_message_id), Message.objects.get(id=ai_message_id)


@database_async
def _plan(session, user_message, ai_message) -> context.ReplyPlan:
    # Not planned with its turn (a reply written again, an edited turn): the window from the database.
    window = context.context_rebuild(session=session, through=ai_message.seq - 1)
    return context.reply_plan(session=session, user_message=user_message, window=window)


def _release(message_id, snapshot: bool) -> None:
    """The reply is no longer being written: its lease goes, with its stream's snapshot if it has one,
    in one command (a resuming client now gets the message itself)."""
    lease_release(message_id=message_id, with_keys=[_STREAM_KEY.format(message_id)] if snapshot else None)


_release_async = sync_to_async(_release, thread_sensitive=False)


# The reply stored complete, unless it was stopped or judged abandoned meanwhile: compiled once
# (config.compiled).
_REPLY_STORED = CompiledUpdate(
    lambda message_id, content, meta: (
        Message.objects.filter(id=message_id, state=MessageState.STREAMING),
        {"content": content, "state": MessageState.COMPLETE, "meta": meta},
    ),
    fields=[Message._meta.pk, Message._meta.get_field("content"), Message._meta.get_field("meta")],
)


@database_async
def _finish(
    session,
    user_message,
    ai_message,
    result: ai.ReplyResult,
    audit: list[ai.AuditRow],
    window: context.Window,
    snapshot: bool,
) -> tuple[Message, list[dict]] | None:
    """Store the reply complete, with the audit row of the call that wrote it (`audit`, as the
    gateway handed it); None when it was judged abandoned meanwhile (then it stays failed).

    Returns the reply and the turns of the context window, cached now with the turn and the reply.
    `snapshot`: whether the stream wrote one (_ReplyStream)."""
    ai.audit_rows_save(audit)
    meta = {
        **ai_message.meta,
        "provider": result.provider,
        "model": result.model,
        "offline": result.offline,
        "fallback": result.fallback,
        "interaction_id": audit[-1].id if audit else result.interaction_id,
    }
    stored = _REPLY_STORED.run(ai_message.id, result.text, meta)
    _release(ai_message.id, snapshot)
    if not stored:
        return None
    ai_message.content, ai_message.state, ai_message.meta = result.text, MessageState.COMPLETE, meta
    window = context.window_store(session=session, window=window, messages=[user_message, ai_message])
    return ai_message, window.turns


@database_async
def _fail(ai_message, partial: str, error: Exception, snapshot: bool) -> None:
    # The partial text is kept for the record, but the message is marked failed, never complete; a
    # reply the learner stopped meanwhile stays stopped.
    ai_message.state = MessageState.FAILED
    ai_message.meta = {**ai_message.meta, "partial": partial, "error": getattr(error, "code", "ai_unavailable")}
    Message.objects.filter(id=ai_message.id, state=MessageState.STREAMING).update(
        state=ai_message.state, meta=ai_message.meta
    )
    _release(ai_message.id, snapshot)


async def _stored(call, *args):
    """Run a database call of the reply, retrying while the database is unreachable (bounded)."""
    deadline = time.monotonic() + settings.REPLY_STORE_RETRY_SECONDS
    pause = 0.1
    while True:
        try:
            return await call(*args)
        except (OperationalError, InterfaceError) as exc:
            if time.monotonic() + pause > deadline:
                raise
            logger.warning("database unreachable while storing a reply (%s); retrying in %.1f s", exc, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)


_lease_renew = sync_to_async(lease_renew, thread_sensitive=False)


class _Lease:
    """A reply's lease (leases.py), renewed while the reply is written. Storing the reply's outcome
    releases it on the same trip (_finish, _fail); otherwise the end of the task does."""

    def __init__(self, message_id):
        self.message_id = message_id
        self.held = True
        self.renewing = asyncio.create_task(self._renew())

    async def _renew(self) -> None:
        # The placeholder was stored with a fresh lease (sessions.placeholder_append, turn_submit).
        while True:
            await asyncio.sleep(settings.REPLY_LEASE_SECONDS / 3)
            await _lease_renew(message_id=self.message_id)

    def released(self) -> None:
        self.renewing.cancel()
        self.held = False

    async def end(self) -> None:
        self.renewing.cancel()
        if self.held:
            self.held = False
            await _release_async(self.message_id, snapshot=False)


async def reply_generate(
    *, session_id, user_message_id, ai_message_id, find_mistakes: bool = True, plan: context.ReplyPlan | None = None
) -> ReplyOutcome:
    """Stream the partner's reply for one turn to the user's sockets, store it, analyse the turn;
    `plan`: the turn's (TurnStart.plan), if it has one."""
    session, user_message, ai_message = await _stored(_load, session_id, user_message_id, ai_message_id)
    return await _reply_leased(
        session=session, user_message=user_message, ai_message=ai_message, find_mistakes=find_mistakes, plan=plan
    )


async def _reply_leased(**kwargs) -> ReplyOutcome:
    """The reply, with its lease renewed while it is written (see leases.py)."""
    lease = _Lease(kwargs["ai_message"].id)
    try:
        return await _reply_run(lease=lease, **kwargs)
    finally:
        await lease.end()


async def _reply_write(session: PracticeSession, request, stream: "_ReplyStream", message_id, audit: list):
    """The provider's result, or None when the learner stopped the reply (its stream is closed at once).

    The call's audit row is handed to `audit`, for the reply's storing to write (_finish)."""

    async def write():
        result = None
        async for item in ai.reply_stream(
            user=session.user, conversation=session.conversation, request=request, audit=audit
        ):
            if isinstance(item, ai.Delta):
                stream.add(item)
            else:
                stream.end()
                result = item
        return result

    writing = asyncio.create_task(write())
    stream.start()
    try:
        # A first look for the stop only after a pause: most replies of the offline partner are
        # written by then, and cost no look at all.
        while not (await asyncio.wait({writing}, timeout=STOP_POLL_SECONDS))[0]:
            if await _stop_requested_async(message_id):
                break
    except asyncio.CancelledError:
        writing.cancel()
        raise
    if writing.done():
        return writing.result()
    writing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await writing
    return None


async def _reply_run(
    *,
    lease: _Lease,
    session: PracticeSession,
    user_message: Message,
    ai_message: Message,
    find_mistakes: bool = True,
    preface: Sequence[dict] = (),
    plan: context.ReplyPlan | None = None,
) -> ReplyOutcome:
    user_id = session.user_id
    if plan is None:
        plan = await _plan(session, user_message, ai_message)
    stream = _ReplyStream(
        user_id=user_id,
        session_id=session.id,
        message_id=ai_message.id,
        preface=[*preface, {"type": "ai.typing", "session_id": str(session.id)}],
    )
    audit: list[ai.AuditRow] = []
    try:
        result = await _reply_write(session, plan.request, stream, ai_message.id, audit)
        await stream.close()
    except ai.AIUnavailable as exc:
        # What was streamed reaches the sockets before the error does.
        await stream.close()
        await _stored(_fail, ai_message, stream.text, exc, stream.snapshot)
        lease.released()
        observe_reply(session=session, ok=False)
        logger.warning(
            "ai unavailable for session %s turn %s: %s",
            session.id,
            user_message.seq,
            exc.code,
            extra={"session_id": str(session.id), "user_id": str(user_id), "code": exc.code},
        )
        limited = isinstance(exc, ai.AIRateLimited | ai.AIBudgetExceeded)
        await user_send_best_effort(
            user_id,
            reply_error_frame(session.id, ai_message.id, code=exc.code, message=exc.message)
            if limited
            else reply_error_frame(session.id, ai_message.id),
        )
        return ReplyOutcome(error=exc)

    if result is None:
        # Stopped by the learner: reply_stop stored the text so far; the turn itself is still analysed.
        await _release_async(ai_message.id, stream.snapshot)
        lease.released()
        ai_message.content = stream.text
        mistakes, _ = await turn_analyse(
            session=session,
            user_message=user_message,
            ai_message=ai_message,
            find_mistakes=find_mistakes,
            plan=plan,
        )
        return ReplyOutcome(mistakes=mistakes)
    finished = await _stored(_finish, session, user_message, ai_message, result, audit, plan.window, stream.snapshot)
    lease.released()
    if finished is None:
        logger.warning("reply %s finished after it was judged abandoned; kept failed", ai_message.id)
        return ReplyOutcome()
    ai_message, window = finished
    observe_reply(session=session, ok=True, latency_ms=result.latency_ms)
    await user_send_best_effort(user_id, *stream.tail(), ai_message_frame(ai_message, session_id=session.id))
    mistakes, vocabulary = await turn_analyse(
        session=session,
        user_message=user_message,
        ai_message=ai_message,
        find_mistakes=find_mistakes,
        window=window,
        plan=plan,
    )
    return ReplyOutcome(message=ai_message, mistakes=mistakes, vocabulary=vocabulary)


_snapshot_write = sync_to_async(cache.set, thread_sensitive=False)


class _ReplyStream:
    """A reply's deltas on their way to every socket of the user, in order, and the text so far.

    The `preface` (the learner's turn and the partner's typing) goes first, as soon as the provider
    is seen writing (start). Deltas are sent as they come; those that arrive while a send is in
    flight go together in the next channel-layer message (each is still its own `ai.delta` frame),
    so under load a reply costs a few sends rather than one per token, and a quiet server sends
    each delta at once. Before each send the reply so far is written to the cache, so a client
    resuming mid-stream gets a snapshot holding at least every delta sent before it (re)joined,
    then the live ones.

    Deltas still unsent when the stream ends (a short reply that comes in one piece: all of it) are
    kept in `pending` and go out with the stored reply, in its channel-layer message, as one
    `ai.delta` frame, after the preface if that is still unsent too (`tail`): a turn the offline
    partner answers reaches the tabs in one message. A client that resumes before the reply is
    stored gets them live, one that resumes after gets the stored reply, and neither needs them in
    a snapshot, so none is written for them. With Redis unreachable the stream stops (the reply
    goes on and is stored; `sync` delivers it).
    """

    def __init__(self, *, user_id, session_id, message_id, preface: list[dict]):
        self.user_id = user_id
        self.session_id, self.message_id = str(session_id), str(message_id)
        self.key = _STREAM_KEY.format(message_id)
        self.text = ""
        self.index = -1
        self.preface = preface
        self.pending: list[dict] = []
        self.sending: asyncio.Task | None = None
        self.broken = False
        self.ended = False
        # Whether a snapshot was written, to be dropped with the lease once the reply is stored.
        self.snapshot = False

    def add(self, delta: ai.Delta) -> None:
        if self.sending is not None and self.sending.done():
            self.sending.result()  # a send that failed fails the reply
        self.text += delta.text
        self.index = delta.index
        if self.broken:
            return
        self.pending.append(
            {
                "type": "ai.delta",
                "session_id": self.session_id,
                "message_id": self.message_id,
                "index": delta.index,
                "delta": delta.text,
            }
        )
        if self.sending is None or self.sending.done():
            self.start()

    def start(self) -> None:
        """Send what waits once the writer has had its first step (the task runs after the one the
        caller has just started): a writer that finished by then leaves it all to `tail`."""
        self.sending = asyncio.get_running_loop().create_task(self._send())

    def end(self) -> None:
        """The provider is done: deltas not sent yet wait for the stored reply (`pending`)."""
        self.ended = True

    def tail(self) -> list[dict]:
        """The deltas unsent when the stream ended, as one frame with the index of the first: only the
        stored reply follows them, so a client's run of indexes stays unbroken, and a reply the
        offline partner wrote at once costs one frame rather than one a word."""
        if not self.pending:
            return self.preface
        return [*self.preface, {**self.pending[0], "delta": "".join(frame["delta"] for frame in self.pending)}]

    async def _send(self) -> None:
        while (self.preface or self.pending) and not self.ended:
            # No await between taking the batch and reading the text: the snapshot ends exactly
            # with the batch's last delta.
            preface, batch, self.preface, self.pending = self.preface, self.pending, [], []
            try:
                if batch:
                    self.snapshot = True
                    await _snapshot_write(self.key, {"text": self.text, "index": self.index}, STREAM_TTL_SECONDS)
                await users_send([self.user_id], *preface, *batch)
            except CACHE_ERRORS as exc:
                logger.warning("reply %s: stream to the sockets stopped (%s)", self.message_id, exc)
                self.broken, self.preface, self.pending = True, [], []

    async def close(self) -> None:
        """Wait until every delta is sent (but those kept for the stored reply); raises what a send raised."""
        if self.sending is not None:
            await self.sending


@database_async
def _fail_if_streaming(ai_message_id) -> bool:
    return bool(
        Message.objects.filter(id=ai_message_id, state=MessageState.STREAMING).update(state=MessageState.FAILED)
    )


async def _reply_guarded(**kwargs) -> ReplyOutcome | None:
    session, ai_message = kwargs["session"], kwargs["ai_message"]
    try:
        return await _reply_leased(**kwargs)
    except Exception:
        # The boundary of a task nobody awaits: log once, do not leave the reply `streaming` (it would
        # hold up the session's next turn; if the database stays down, its lapsed lease marks it
        # abandoned later), and tell the learner as for an outage, so the turn is resent.
        logger.exception("reply generation failed for message %s", ai_message.id)
        try:
            failed_now = await _stored(_fail_if_streaming, ai_message.id)
        except Exception:
            logger.warning("could not mark reply %s failed", ai_message.id)
            return None
        if failed_now:
            await user_send_best_effort(session.user_id, reply_error_frame(session.id, ai_message.id))
        return None


def reply_generate_in_background(
    *,
    session: PracticeSession,
    user_message: Message,
    ai_message: Message,
    find_mistakes: bool = True,
    preface: Sequence[dict] = (),
    plan: context.ReplyPlan | None = None,
) -> asyncio.Task:
    """Run the reply as its own task, so closing the socket that asked does not stop it.

    The caller passes the rows it has just stored (the session with its conversation, template and
    user) and the turn's plan if it has one, so the reply starts without reading them again;
    `preface`: frames for the user's tabs before the partner's typing (the learner's turn), sent
    with the typing and the reply's first deltas (_ReplyStream).
    """
    task = asyncio.get_running_loop().create_task(
        _reply_guarded(
            session=session,
            user_message=user_message,
            ai_message=ai_message,
            find_mistakes=find_mistakes,
            preface=preface,
            plan=plan,
        )
    )
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task
