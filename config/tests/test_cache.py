"""The Redis cache under daphne: every socket is an async context of its own."""

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import redis
from asgiref.sync import sync_to_async
from django.core.cache import cache

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def test_open_sockets_share_the_cache_connections(settings):
    # given the production cache settings, with a client name to find our connections by
    name = f"parley-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": name,
            "OPTIONS": {"pool_class": "config.cache.SharedConnectionPool", "client_name": name},
        }
    }

    async def fifty_open_sockets() -> list[dict]:
        hold = asyncio.Event()
        stored = 0

        async def socket(n: int) -> None:
            # What a consumer does: a cache call from its database thread, then it stays open.
            nonlocal stored
            await sync_to_async(cache.set)(f"presence:{n}", n, 5)
            stored += 1
            await hold.wait()

        sockets = [asyncio.create_task(socket(n)) for n in range(50)]
        while stored < 50:
            await asyncio.sleep(0.01)
        connections = [c for c in redis.Redis.from_url(REDIS_URL).client_list() if c["name"] == name]
        hold.set()
        await asyncio.gather(*sockets)
        return connections

    # when fifty sockets touch the cache and stay open (on a loop in a thread of its own: a browser
    # test earlier in the session leaves Playwright's loop running in the main thread)
    with ThreadPoolExecutor(1) as pool:
        connections = pool.submit(asyncio.run, fifty_open_sockets()).result()

    # then they share a connection or two, instead of holding one each
    assert 1 <= len(connections) <= 2


def test_every_socket_and_thread_shares_one_redis_client(settings):
    # given the production cache settings
    name = f"parley-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": name,
            "OPTIONS": {"pool_class": "config.cache.SharedConnectionPool", "client_name": name},
        }
    }

    async def client_of_a_socket():
        # each task is an async context of its own, with its own cache backend instance
        return await sync_to_async(lambda: cache._cache.get_client(write=True))()

    async def three_sockets():
        return await asyncio.gather(*(asyncio.create_task(client_of_a_socket()) for _ in range(3)))

    # when three sockets ask for the client their cache calls go through
    with ThreadPoolExecutor(1) as pool:
        clients = pool.submit(asyncio.run, three_sockets()).result()
    clients.append(cache._cache.get_client(write=False))

    # then it is one redis-py client, not one built per call
    assert len({id(client) for client in clients}) == 1
