"""channels_redis' channel layer with cheaper fan-out and receive (channels_redis 4.3, pinned).

Stock group_send costs four Redis round trips per group (expire stale members, read the group,
expire each queue, push) and pushes one entry per group, even when the groups' sockets live in
the same process. Parley sends most events to several users' groups at once (a message to every
member, a presence change to every contact), so `group_send_many` reads all the groups in one
trip (members older than the group expiry are skipped, and pruned when a channel joins rather than on
every send) and pushes, in one script, one entry per destination process: that process hands
it to each of its sockets in the groups, as it does for any group message. A socket that is in
several of the groups gets the message once.

Messages to sockets of this process skip the Redis queue. The groups are still read from Redis
(membership lives there, for every process), but a member channel of this process gets the
message straight into its inbox: a practice turn's frames to the learner's own tabs, a direct
message between two people on the same process, no longer cost the push and the five round trips
of its pop. `send()` to a channel of this process does the same. The message is serialised and read
back once as Redis would carry it, so a message Redis could not carry fails here too, and each
socket gets its own top-level copy of it, as from the reader; an inbox holds at most `capacity`
messages, as the Redis queue does (beyond it a group message is dropped and logged, `send()` raises
ChannelFull). Channels of other processes, and messages sent from another event loop than the
receiving one (async_to_sync), go through Redis as before.

That needs a receive path of its own. Stock channels_redis lets one of the process's receivers pop
the process's Redis queue for all of them, blocking up to five seconds in BZPOPMIN; a message put
straight into that receiver's own buffer would wait until the pop returned. Here one task per
event loop (the reader) pops the queue and fills the inboxes, and every receive() waits on its own
channel's inbox only, so a message put there wakes it at once. If the reader fails (Redis went
away), every receive() waiting fails with its error, as the stock receivers do: their sockets
close and their clients reconnect and join their groups again. A channel lives from
`new_channel()` (or its first receive()) until a receive() on it is cancelled or fails with none
left waiting, which is how a consumer ends; what is addressed to it after that is dropped, as a
message to a dead channel would expire in Redis. When no channel is left the reader stops.

Popping, stock channels_redis spends three round trips per message before the one that clears its
in-flight copy (restore in-flight copies, BZPOPMIN, keep an in-flight copy). When a message is
already waiting, the same three steps run here as one script; only an empty queue then blocks in
BZPOPMIN (the script has restored the in-flight copies already). The in-flight copy and its
clean-up are unchanged, so a pop cancelled midway still loses nothing.
"""

import asyncio
import collections
import contextlib
import functools
import hashlib
import logging
import time

from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer as StockRedisChannelLayer
from cryptography.fernet import InvalidToken
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError


class UnreadableMessage(Exception):
    """A message popped from Redis that this layer did not write: not msgpack (or not decryptable),
    not a mapping, or addressed to no channel."""


logger = logging.getLogger(__name__)

# KEYS: the destination queues. ARGV: one message per queue, one capacity per queue, then the
# time, the expiry and the cutoff below which queued messages have expired.
_PUSH = """
local n = #KEYS
local now = ARGV[2 * n + 1]
local expiry = ARGV[2 * n + 2]
local cutoff = ARGV[2 * n + 3]
local over_capacity = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, cutoff)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""

# ARGV: the queue and its in-flight copy. Puts back what a cancelled receive left in flight (as
# stock channels_redis does before every pop), then pops the oldest message, if any, keeping an
# in-flight copy until the receiver has it.
_POP = """
local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
for i = #backed_up, 1, -2 do
    redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
end
redis.call('DEL', ARGV[2])
local popped = redis.call('ZPOPMIN', ARGV[1])
if popped[1] then
    redis.call('ZADD', ARGV[2], popped[2], popped[1])
    return popped[1]
end
return false
"""

_SHA = {script: hashlib.sha1(script.encode()).hexdigest() for script in (_PUSH, _POP)}


class _Inbox:
    """This process's channels on one event loop: the live ones, what each has not received yet,
    who waits on it, and the readers popping the process's Redis queues for them all
    (channels_redis receives on one loop at a time). An idle socket costs its entry in `live` and
    the future its receiver waits on."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.live: set[str] = set()
        # channel -> its messages not received yet, oldest first (no entry: none)
        self.messages: dict[str, collections.deque] = {}
        # channel -> its receivers waiting, first come first served (no entry: none)
        self.waiters: dict[str, list[asyncio.Future]] = {}
        self.receiving: collections.Counter[str] = collections.Counter()
        # the process's Redis queue ("specific.<client prefix>!") -> the task popping it
        self.readers: dict[str, asyncio.Task] = {}

    def serving(self) -> bool:
        """Whether channels are still received here: no other loop may take over then."""
        return bool(self.live) and self.loop.is_running()

    def put(self, channel: str, message: dict, capacity: int) -> bool | None:
        """Queue `message` for `channel`: None if the channel is not live, False if it is full."""
        if channel not in self.live:
            return None
        messages = self.messages.get(channel)
        if messages is None:
            messages = self.messages[channel] = collections.deque()
        elif len(messages) >= capacity:
            return False
        messages.append(message)
        self.wake(channel)
        return True

    def take(self, channel: str) -> dict | None:
        """The oldest message for `channel`, if any."""
        messages = self.messages.get(channel)
        if not messages:
            return None
        message = messages.popleft()
        if not messages:
            del self.messages[channel]
        return message

    def wake(self, channel: str) -> None:
        """Tell the first receiver waiting on `channel` that a message is there."""
        waiters = self.waiters.get(channel, [])
        while waiters:
            waiter = waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                break
        if not waiters:
            self.waiters.pop(channel, None)

    async def wait(self, channel: str) -> None:
        """Until `wake(channel)` (or `fail()`)."""
        waiter = self.loop.create_future()
        self.waiters.setdefault(channel, []).append(waiter)
        try:
            await waiter
        finally:
            waiters = self.waiters.get(channel, [])
            if waiter in waiters:  # cancelled
                waiters.remove(waiter)
                if not waiters:
                    del self.waiters[channel]

    def fail(self, error: BaseException) -> None:
        """Every receiver waiting raises `error`."""
        for waiters in self.waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(error)
        self.waiters.clear()

    def close(self, channel: str) -> None:
        """`channel` is gone: what it has not received is dropped; the last one out stops the readers."""
        self.live.discard(channel)
        self.messages.pop(channel, None)
        self.waiters.pop(channel, None)
        if not self.live:
            self.stop()

    def stop(self) -> list[asyncio.Task]:
        """Cancel the readers (run on this inbox's loop); those cancelled are returned."""
        readers = list(self.readers.values())
        self.readers.clear()
        for reader in readers:
            reader.cancel()
        return readers

    def abandon(self) -> None:
        """Another event loop takes over: the readers of this one stop, if it still runs (in
        another thread, so through its own queue of callbacks)."""
        readers = list(self.readers.values())
        self.readers.clear()
        with contextlib.suppress(RuntimeError):  # the loop is closed, and its tasks with it
            for reader in readers:
                self.loop.call_soon_threadsafe(reader.cancel)


class RedisChannelLayer(StockRedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._inbox: _Inbox | None = None

    def _local(self, channel: str) -> bool:
        """Whether `channel` is one of this process's (made by its `new_channel()`)."""
        return "!" in channel and self.non_local_name(channel).endswith(self.client_prefix + "!")

    def deserialize(self, message):
        """The message, or UnreadableMessage when it is not one this layer wrote."""
        try:
            decoded = super().deserialize(message)
        except (ValueError, TypeError, InvalidToken) as exc:  # msgpack's errors are ValueErrors
            raise UnreadableMessage(f"not a message: {exc!r}") from exc
        if not isinstance(decoded, dict):
            raise UnreadableMessage(f"not a mapping: {type(decoded).__name__}")
        target = decoded.get("__asgi_channel__", "")
        if not (isinstance(target, str) or (isinstance(target, list) and all(isinstance(t, str) for t in target))):
            raise UnreadableMessage("addressed to no channel")
        return decoded

    def _inbox_here(self, *, receiving: bool) -> _Inbox | None:
        """The inbox of the running loop, taken over from a loop no longer receiving if need be;
        None (or, receiving, an error as in stock channels_redis) while another loop receives."""
        loop = asyncio.get_running_loop()
        inbox = self._inbox
        if inbox is not None and inbox.loop is loop:
            return inbox
        if inbox is not None:
            if inbox.serving():
                if receiving:
                    raise RuntimeError("Two event loops are trying to receive() on one channel layer at once!")
                return None
            inbox.abandon()
        self._inbox = _Inbox(loop)
        return self._inbox

    def _inbox_sending(self) -> _Inbox | None:
        """The inbox for a message sent from the running loop: its own, never another loop's (their
        messages go through Redis, to that loop's reader)."""
        inbox = self._inbox
        if inbox is not None and inbox.loop is asyncio.get_running_loop():
            return inbox
        return None

    async def new_channel(self, prefix="specific"):
        channel = await super().new_channel(prefix)
        inbox = self._inbox_here(receiving=False)
        if inbox is not None:
            inbox.live.add(channel)
        return channel

    async def send(self, channel, message):
        inbox = self._inbox_sending() if self._local(channel) else None
        if inbox is None:
            await super().send(channel, message)
            return
        assert isinstance(message, dict), "message is not a dict"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        assert "__asgi_channel__" not in message
        if inbox.put(channel, self.deserialize(self.serialize(message)), self.get_capacity(channel)) is False:
            raise ChannelFull()

    async def receive(self, channel):
        assert self.require_valid_channel_name(channel)
        if "!" not in channel:
            return (await self.receive_single(channel))[1]
        assert self._local(channel), "Wrong client prefix"
        inbox = self._inbox_here(receiving=True)
        inbox.live.add(channel)
        message = inbox.take(channel)
        if message is not None:
            return message
        inbox.receiving[channel] += 1
        try:
            while (message := inbox.take(channel)) is None:
                self._reader_start(inbox, self.non_local_name(channel))
                await inbox.wait(channel)
        except BaseException:
            self._receiver_gone(inbox, channel)
            raise
        inbox.receiving[channel] -= 1
        if not inbox.receiving[channel]:
            del inbox.receiving[channel]
        return message

    @staticmethod
    def _receiver_gone(inbox: _Inbox, channel: str) -> None:
        """A receive() on `channel` was cancelled or failed: its consumer has ended, unless another
        receive() on it still waits (which then gets what this one was woken for)."""
        inbox.receiving[channel] -= 1
        if inbox.receiving[channel]:
            if channel in inbox.messages:
                inbox.wake(channel)
            return
        del inbox.receiving[channel]
        inbox.close(channel)

    def _reader_start(self, inbox: _Inbox, queue: str) -> None:
        if queue in inbox.readers:
            return
        reader = inbox.loop.create_task(self._read(inbox, queue), name=f"channel layer reader {queue}")
        inbox.readers[queue] = reader
        reader.add_done_callback(functools.partial(self._reader_done, inbox, queue))

    async def _read(self, inbox: _Inbox, queue: str) -> None:
        """Pop this process's queue for as long as it has channels, into their inboxes."""
        while True:
            try:
                target, message = await self.receive_single(queue)
            except UnreadableMessage as exc:
                # Popped (and its in-flight copy cleaned), but not one this layer wrote: dropped.
                # Failing the reader would close every socket of the process.
                logger.warning("an unreadable message on %s was dropped: %s", queue, exc)
                continue
            channels = [target] if isinstance(target, str) else target
            full = [
                channel
                for n, channel in enumerate(channels)
                if inbox.put(channel, dict(message) if n else message, self.get_capacity(channel)) is False
            ]
            if full:
                logger.info("%s of %s channels over capacity: a message dropped", len(full), len(channels))

    @staticmethod
    def _reader_done(inbox: _Inbox, queue: str, reader: asyncio.Task) -> None:
        """A reader failed (Redis went away): the receivers waiting on it fail with its error. One
        stopped meanwhile fails nobody."""
        error = None if reader.cancelled() else reader.exception()
        if inbox.readers.get(queue) is reader:
            del inbox.readers[queue]
            if error is not None:
                inbox.fail(error)

    async def close_pools(self):
        """Stop the readers too. Receivers still waiting fail, as in stock channels_redis, where
        closing the connections fails the receiver blocked in BZPOPMIN."""
        inbox = self._inbox_sending()
        stopped = []
        if inbox is not None:
            stopped = inbox.stop()
            inbox.fail(RedisConnectionError("The channel layer's connections were closed."))
        await super().close_pools()
        # After the connections closed: a reader that missed its cancellation (see
        # _cancellation_check) is blocked in BZPOPMIN on one of them.
        if stopped:
            await asyncio.wait(stopped)

    async def _script(self, index: int, script: str, keys: list, args: list):
        connection = self.connection(index)
        try:
            return await connection.evalsha(_SHA[script], len(keys), *keys, *args)
        except NoScriptError:  # a restarted Redis: EVAL loads it again
            return await connection.eval(script, len(keys), *keys, *args)

    async def group_add(self, group, channel):
        """Add the channel to the group, prune the members older than group_expiry and keep the group
        that long, in one round trip (stock: two, and the pruning on every group_send)."""
        assert self.require_valid_group_name(group), "Group name not valid"
        assert self.require_valid_channel_name(channel), "Channel name not valid"
        key = self._group_key(group)
        now = time.time()
        pipe = self.connection(self.consistent_hash(group)).pipeline(transaction=False)
        pipe.zadd(key, {channel: now})
        pipe.zremrangebyscore(key, min=0, max=int(now) - self.group_expiry)
        pipe.expire(key, self.group_expiry)
        await pipe.execute()

    async def group_send(self, group, message):
        await self.group_send_many([group], message)

    async def group_send_many(self, groups, message) -> None:
        """Send `message` to every channel in any of `groups`: two round trips per Redis host, one if
        every channel is this process's (a single command when it is one group)."""
        groups = list(dict.fromkeys(groups))
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
        by_host = collections.defaultdict(list)
        for group in groups:
            by_host[self.consistent_hash(group)].append(group)
        # Members that joined longer than group_expiry ago are skipped here and pruned by group_add.
        fresh = f"({int(time.time()) - self.group_expiry}"
        channels = {}
        for index, host_groups in by_host.items():
            connection = self.connection(index)
            if len(host_groups) == 1:
                replies = [await connection.zrangebyscore(self._group_key(host_groups[0]), fresh, "+inf")]
            else:
                pipe = connection.pipeline(transaction=False)
                for group in host_groups:
                    pipe.zrangebyscore(self._group_key(group), fresh, "+inf")
                replies = await pipe.execute()
            channels.update(dict.fromkeys(name.decode() for members in replies for name in members))
        over = 0
        inbox = self._inbox_sending()
        local = [channel for channel in channels if self._local(channel)] if inbox is not None else []
        if local:
            # Read back once, as the reader does what it pops: each channel its own top-level copy.
            carried = self.deserialize(self.serialize(message))
            for n, channel in enumerate(local):
                del channels[channel]
                over += inbox.put(channel, dict(carried) if n else carried, self.get_capacity(channel)) is False
        if channels:
            keys_by_host, message_by_key, capacity_by_key = self._map_channel_keys_to_connection(
                list(channels), message
            )
            now = time.time()
            for index, keys in keys_by_host.items():
                args = [message_by_key[key] for key in keys] + [capacity_by_key[key] for key in keys]
                args += [now, self.expiry, int(now) - int(self.expiry)]
                over += await self._script(index, _PUSH, keys, args)
        if over:
            logger.info("%s of %s channels over capacity in groups %s", over, len(local) + len(channels), groups[:5])

    async def _brpop_with_clean(self, index, channel, timeout):
        """Pop the oldest message of `channel`, keeping an in-flight copy; None if none came within
        `timeout`. The script has put back what a cancelled receive left in flight already."""
        _cancellation_check()
        backup = self._backup_channel_name(channel)
        member = await self._script(index, _POP, [], [channel, backup])
        if member is not None:
            return member
        _cancellation_check()
        connection = self.connection(index)
        popped = await connection.bzpopmin(channel, timeout=timeout)
        if popped is None:
            return None
        _, member, score = popped
        await connection.zadd(backup, {member: float(score)})
        return member


def _cancellation_check() -> None:
    """Raise the cancellation redis-py may have lost: on Python 3.11 its asyncio.wait_for around a
    command's send returns normally when the send was done as the task got cancelled, and the pop
    would then block for up to `brpop_timeout` (and loop, waiting for a message) in a task being
    stopped."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
