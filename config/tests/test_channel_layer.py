"""config.channel_layer against a real Redis: fan-out to many groups and receiving, as two processes."""

import asyncio
import concurrent.futures
import contextlib
import uuid

import pytest
from django.conf import settings

from config import channel_layer
from config.channel_layer import RedisChannelLayer

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis")


def run(test) -> None:
    """Run a test coroutine on a loop in a thread of its own, as the MCP tests do: a browser test
    earlier in the session leaves Playwright's loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, test()).result()


@contextlib.asynccontextmanager
async def two_processes():
    """Two layers sharing a prefix, as two server processes would."""
    hosts = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]
    prefix = f"test-layer-{uuid.uuid4().hex[:8]}"
    layers = [RedisChannelLayer(hosts=hosts, prefix=prefix, capacity=5) for _ in range(2)]
    try:
        yield layers
    finally:
        await layers[0].flush()
        await layers[1].close_pools()


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
