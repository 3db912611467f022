"""config.channel_layer against a real Redis: fan-out to many groups, delivery inside one process
and receiving, as two processes."""

import asyncio
import concurrent.futures
import contextlib
import time
import uuid

import msgpack
import pytest
from channels.exceptions import ChannelFull
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from config import channel_layer
from config.channel_layer import RedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")


def run(test) -> None:
    """Run a test coroutine on a loop in a thread of its own, as the MCP tests do: a browser test
    earlier in the session leaves Playwright's loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, test()).result()


def layers_of_two_processes() -> list[RedisChannelLayer]:
    """Two layers sharing a prefix, as two server processes would; each names its connections
    after itself (its `prefix`-n)."""
    (host,) = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    host = host if isinstance(host, dict) else {"address": host}
    prefix = f"test-layer-{uuid.uuid4().hex[:8]}"
    return [
        RedisChannelLayer(hosts=[{**host, "client_name": f"{prefix}-{n}"}], prefix=prefix, capacity=5) for n in range(2)
    ]


@contextlib.asynccontextmanager
async def two_processes():
    layers = layers_of_two_processes()
    try:
        yield layers
    finally:
        await layers[0].flush()
        await layers[1].close_pools()


async def blocked_in_redis(layer) -> None:
    """Until the layer's reader blocks in BZPOPMIN on the process's queue."""
    name = f"{layer.prefix}-0"
    while not any(
        client["name"] == name and client["cmd"] == "bzpopmin" for client in await layer.connection(0).client_list()
    ):
        await asyncio.sleep(0.01)


async def receive(layer, channel, timeout=2):
    return await asyncio.wait_for(layer.receive(channel), timeout)


def test_one_send_reaches_every_socket_of_the_groups_once():
    async def test():
        async with two_processes() as (here, there):
            alice_tab = await here.new_channel()
            bob_tab, bob_other_tab, carol_tab = [await there.new_channel() for _ in range(3)]
            await here.group_add("user.alice", alice_tab)
            await there.group_add("user.bob", bob_tab)
            await there.group_add("user.bob", bob_other_tab)
            await there.group_add("user.carol", carol_tab)
            # a socket in two of the groups
            await there.group_add("user.alice", carol_tab)

            await here.group_send_many(["user.alice", "user.bob", "user.carol"], {"type": "hello", "n": 1})

            for layer, channel in [(here, alice_tab), (there, bob_tab), (there, bob_other_tab), (there, carol_tab)]:
                assert await receive(layer, channel) == {"type": "hello", "n": 1}
            with pytest.raises(TimeoutError):
                await receive(there, carol_tab, timeout=0.3)

    run(test)


def test_messages_waiting_are_received_in_order_and_leave_nothing_in_flight():
    async def test():
        async with two_processes() as (here, there):
            tab = await there.new_channel()
            await there.group_add("user.dana", tab)
            for n in range(3):
                await here.group_send("user.dana", {"type": "n", "n": n})

            assert [(await receive(there, tab))["n"] for _ in range(3)] == [0, 1, 2]
            await there.wait_received()
            queue = there.prefix + there.non_local_name(tab)
            connection = there.connection(0)
            assert await connection.zcard(queue) == 0
            assert await connection.zcard(there._backup_channel_name(queue)) == 0

    run(test)


def test_a_full_queue_drops_the_new_message_as_stock_channels_redis_does():
    async def test():
        async with two_processes() as (here, there):
            tab = await there.new_channel()
            await there.group_add("user.erin", tab)
            for n in range(7):  # capacity 5
                await here.group_send("user.erin", {"type": "n", "n": n})

            assert [(await receive(there, tab))["n"] for _ in range(5)] == [0, 1, 2, 3, 4]

    run(test)


def test_scripts_unknown_to_redis_are_loaded_again(monkeypatch):
    # as after a Redis restart: EVALSHA fails with NOSCRIPT and the layer falls back to EVAL
    async def test():
        async with two_processes() as (here, there):
            tab = await there.new_channel()
            await there.group_add("user.fay", tab)
            monkeypatch.setattr(channel_layer, "_SHA", {script: "0" * 40 for script in channel_layer._SHA})

            await here.group_send("user.fay", {"type": "again"})

            assert await receive(there, tab) == {"type": "again"}

    run(test)


def test_a_socket_of_the_sending_process_gets_its_message_without_the_redis_queue(redis_commands):
    async def test():
        async with two_processes() as (here, _):
            tab = await here.new_channel()
            await here.group_add("user.gil", tab)
            redis_commands.clear()

            await here.group_send("user.gil", {"type": "hello"})

            assert await receive(here, tab) == {"type": "hello"}
            # the group read, one command; no push, no pop
            assert redis_commands == ["ZRANGEBYSCORE"]

    run(test)


def test_sockets_here_and_in_another_process_each_get_a_message_once(redis_commands):
    async def test():
        async with two_processes() as (here, there):
            local_tabs = [await here.new_channel() for _ in range(2)]
            remote_tabs = [await there.new_channel() for _ in range(2)]
            for tab in (*local_tabs, remote_tabs[0]):
                await here.group_add("user.hana", tab)
            # a socket in both groups, in each process
            for tab in (local_tabs[0], *remote_tabs):
                await here.group_add("user.ivo", tab)
            redis_commands.clear()

            await here.group_send_many(["user.hana", "user.ivo"], {"type": "hello"})

            # one read of both groups, one push: to the other process's queue, not to this one's
            assert redis_commands == ["pipeline", "EVALSHA"]
            assert await here.connection(0).zcard(here.prefix + here.non_local_name(local_tabs[0])) == 0
            assert await here.connection(0).zcard(there.prefix + there.non_local_name(remote_tabs[0])) == 1
            for layer, tab in [*((here, tab) for tab in local_tabs), *((there, tab) for tab in remote_tabs)]:
                assert await receive(layer, tab) == {"type": "hello"}
            for layer, tab in [(here, local_tabs[0]), (there, remote_tabs[0])]:
                with pytest.raises(TimeoutError):
                    await receive(layer, tab, timeout=0.3)

    run(test)


def test_a_member_older_than_the_group_expiry_gets_nothing_and_is_pruned_when_a_channel_joins():
    async def test():
        async with two_processes() as (here, _):
            old, new = await here.new_channel(), await here.new_channel()
            await here.group_add("user.jo", old)
            key = here._group_key("user.jo")
            # as if `old` joined a day and a second ago and never left
            await here.connection(0).zadd(key, {old: time.time() - here.group_expiry - 1})

            await here.group_send("user.jo", {"type": "hello"})
            with pytest.raises(TimeoutError):
                await receive(here, old, timeout=0.3)
            assert await here.connection(0).zscore(key, old) is not None

            await here.group_add("user.jo", new)
            await here.group_send("user.jo", {"type": "again"})

            assert await receive(here, new) == {"type": "again"}
            assert [m.decode() for m in await here.connection(0).zrange(key, 0, -1)] == [new]
            assert 0 < await here.connection(0).ttl(key) <= here.group_expiry

    run(test)


def test_messages_to_a_socket_of_this_process_keep_their_order():
    async def test():
        async with two_processes() as (here, _):
            tab = await here.new_channel()
            await here.group_add("user.jo", tab)
            for n in range(5):  # capacity 5
                if n % 2:
                    await here.send(tab, {"type": "n", "n": n})
                else:
                    await here.group_send("user.jo", {"type": "n", "n": n})

            assert [(await receive(here, tab))["n"] for _ in range(5)] == [0, 1, 2, 3, 4]

    run(test)


def test_a_receiver_waiting_while_the_reader_blocks_in_redis_gets_a_local_message_at_once():
    async def test():
        async with two_processes() as (here, _):
            # a pop that would outlast the wait below many times over
            here.brpop_timeout = 60
            tab = await here.new_channel()
            await here.group_add("user.kai", tab)
            waiting = asyncio.ensure_future(here.receive(tab))
            await blocked_in_redis(here)

            await here.group_send("user.kai", {"type": "hello"})

            assert await asyncio.wait_for(waiting, 2) == {"type": "hello"}

    run(test)


def test_each_socket_gets_the_message_as_carried_by_redis_in_a_copy_of_its_own():
    async def test():
        async with two_processes() as (here, _):
            tabs = [await here.new_channel() for _ in range(2)]
            for tab in tabs:
                await here.group_add("user.lia", tab)
            event = {"type": "frames", "payloads": [{"n": 1}], "pair": (1, 2)}

            await here.group_send("user.lia", event)
            # what the sender changes afterwards reaches nobody
            event["payloads"].append({"n": 2})
            first = await receive(here, tabs[0])
            first["type"] = "changed by the first socket"

            assert await receive(here, tabs[1]) == {"type": "frames", "payloads": [{"n": 1}], "pair": [1, 2]}
            # what Redis could not carry fails for a socket here too
            with pytest.raises(TypeError):
                await here.group_send("user.lia", {"type": "frames", "payloads": {object()}})

    run(test)


def test_a_full_channel_of_this_process_takes_no_more_as_a_full_queue_in_redis():
    async def test():
        async with two_processes() as (here, _):
            tab = await here.new_channel()
            await here.group_add("user.mo", tab)
            for n in range(7):  # capacity 5
                await here.group_send("user.mo", {"type": "n", "n": n})
            with pytest.raises(ChannelFull):
                await here.send(tab, {"type": "n", "n": 7})

            assert [(await receive(here, tab))["n"] for _ in range(5)] == [0, 1, 2, 3, 4]

    run(test)


def test_messages_to_a_socket_that_stopped_receiving_are_dropped():
    async def test():
        async with two_processes() as (here, there):
            tab, other_tab = [await here.new_channel() for _ in range(2)]
            await here.group_add("user.ned", tab)
            # another socket keeps this process receiving
            other = asyncio.ensure_future(here.receive(other_tab))
            # the socket's consumer ends (its receive is cancelled) while it is still in the group:
            # it did not leave, or the sender read the group just before it left
            with pytest.raises(TimeoutError):
                await receive(here, tab, timeout=0.1)

            await here.group_send("user.ned", {"type": "from here"})
            await there.group_send("user.ned", {"type": "from there"})
            # the reader has handled what came through Redis before this
            await there.send(other_tab, {"type": "after"})
            assert await asyncio.wait_for(other, 2) == {"type": "after"}

            # neither is kept for it
            with pytest.raises(TimeoutError):
                await receive(here, tab, timeout=0.3)

    run(test)


def test_receivers_fail_when_redis_goes_away_and_receive_again_once_it_is_back():
    async def test():
        async with two_processes() as (here, there):
            tabs = [await here.new_channel() for _ in range(2)]
            await here.group_add("user.ola", tabs[1])
            waiting = [asyncio.ensure_future(here.receive(tab)) for tab in tabs]
            await blocked_in_redis(here)

            # every connection to Redis drops, the reader's included
            await here.connection(0).connection_pool.disconnect()

            for receiver in waiting:
                with pytest.raises(RedisConnectionError):
                    await asyncio.wait_for(receiver, 2)
            tab = await here.new_channel()
            await here.group_add("user.ola", tab)
            await there.group_send("user.ola", {"type": "again"})
            assert await receive(here, tab) == {"type": "again"}

    run(test)


def test_a_layer_receives_on_a_new_event_loop_after_the_old_one_closed():
    here, there = layers_of_two_processes()

    async def first_loop():
        tab = await here.new_channel()
        await here.group_add("user.pia", tab)
        await there.group_send("user.pia", {"type": "first"})
        assert await receive(here, tab) == {"type": "first"}
        # the loop closes with this receive still waiting on the reader
        asyncio.ensure_future(here.receive(tab))
        await asyncio.sleep(0.1)

    async def second_loop():
        tab = await here.new_channel()
        await here.group_add("user.quin", tab)
        await here.group_send("user.quin", {"type": "here"})
        await there.group_send("user.quin", {"type": "there"})
        assert [await receive(here, tab), await receive(here, tab)] == [{"type": "here"}, {"type": "there"}]
        await here.flush()
        await there.close_pools()

    run(first_loop)
    run(second_loop)


@pytest.mark.parametrize(
    "raw",
    [b"\xc1", b"\x01\x02", b"\x2a", msgpack.packb({"__asgi_channel__": 5, "type": "x"})],
    ids=["not msgpack", "extra data", "no mapping", "no channel"],
)
def test_an_unreadable_message_is_dropped_and_the_sockets_waiting_go_on_receiving(raw):
    async def test():
        async with two_processes() as (here, there):
            tabs = [await here.new_channel() for _ in range(2)]
            await here.group_add("user.pia", tabs[0])
            waiting = [asyncio.ensure_future(here.receive(tab)) for tab in tabs]
            await blocked_in_redis(here)

            # when a message no layer wrote reaches the process's queue, then a real one
            queue = here.prefix + here.non_local_name(tabs[0])
            prefix = b"x" * here._serializer.random_prefix_length
            await here.connection(0).zadd(queue, {prefix + raw: time.time()})
            await there.group_send("user.pia", {"type": "after"})

            # then the socket it was for gets the real one, and the other socket still waits
            assert await asyncio.wait_for(waiting[0], 2) == {"type": "after"}
            await asyncio.sleep(0.2)
            assert not waiting[1].done()
            waiting[1].cancel()

    run(test)
