"""channels_redis' channel layer with cheaper fan-out and receive (channels_redis 4.3, pinned).

Stock group_send costs four Redis round trips per group (expire stale members, read the group,
expire each queue, push) and pushes one entry per group, even when the groups' sockets live in
the same process. Parley sends most events to several users' groups at once (a message to every
member, a presence change to every contact), so `group_send_many` reads all the groups in one
pipelined trip and pushes, in one script, one entry per destination process: that process hands
it to each of its sockets in the groups, as it does for any group message. A socket that is in
several of the groups gets the message once.

Receiving, stock channels_redis spends three round trips per message before the one that clears
its in-flight copy (restore in-flight copies, BZPOPMIN, keep an in-flight copy). When a message is
already waiting, the same three steps run here as one script; only an empty queue blocks in
BZPOPMIN as before. The in-flight copy and its clean-up are unchanged, so a receive cancelled
midway still loses nothing.
"""

import collections
import hashlib
import logging
import time

from channels_redis.core import RedisChannelLayer as StockRedisChannelLayer
from redis.exceptions import NoScriptError

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


class RedisChannelLayer(StockRedisChannelLayer):
    async def _script(self, index: int, script: str, keys: list, args: list):
        connection = self.connection(index)
        try:
            return await connection.evalsha(_SHA[script], len(keys), *keys, *args)
        except NoScriptError:  # a restarted Redis: EVAL loads it again
            return await connection.eval(script, len(keys), *keys, *args)

    async def group_send(self, group, message):
        await self.group_send_many([group], message)

    async def group_send_many(self, groups, message) -> None:
        """Send `message` to every channel in any of `groups`: two round trips per Redis host."""
        groups = list(dict.fromkeys(groups))
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
        by_host = collections.defaultdict(list)
        for group in groups:
            by_host[self.consistent_hash(group)].append(group)
        stale = int(time.time()) - self.group_expiry
        channels = {}
        for index, host_groups in by_host.items():
            pipe = self.connection(index).pipeline(transaction=False)
            for group in host_groups:
                pipe.zremrangebyscore(self._group_key(group), min=0, max=stale)
                pipe.zrange(self._group_key(group), 0, -1)
            replies = await pipe.execute()
            channels.update(dict.fromkeys(name.decode() for members in replies[1::2] for name in members))
        if not channels:
            return
        keys_by_host, message_by_key, capacity_by_key = self._map_channel_keys_to_connection(list(channels), message)
        now = time.time()
        for index, keys in keys_by_host.items():
            args = [message_by_key[key] for key in keys] + [capacity_by_key[key] for key in keys]
            args += [now, self.expiry, int(now) - int(self.expiry)]
            over = await self._script(index, _PUSH, keys, args)
            if over:
                logger.info("%s of %s channels over capacity in groups %s", over, len(channels), groups[:5])

    async def _brpop_with_clean(self, index, channel, timeout):
        member = await self._script(index, _POP, [], [channel, self._backup_channel_name(channel)])
        if member is not None:
            return member
        return await super()._brpop_with_clean(index, channel, timeout)
