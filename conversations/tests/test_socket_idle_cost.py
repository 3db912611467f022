"""What an open, silent socket holds in its process, counted: a process keeps it for as long as the
learner keeps the tab open, so every task per socket is memory times a thousand sockets
(docs/deploy.md, "Capacity")."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from conversations.tests.test_sessions_socket import open_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

SOCKETS = 5
# Per idle socket: the application, channels' two listeners (the socket's events, the channel
# layer's) and, in channels_redis, the two waits of a receive (its buffer, the process's receive
# lock). The token's expiry is a timer, not a task of its own; presence is one task per process.
TASKS_PER_SOCKET = {"InMemoryChannelLayer": 3, "RedisChannelLayer": 5}
TASKS_PER_PROCESS = 1


async def test_an_idle_socket_holds_no_task_beyond_what_channels_needs_to_listen(user):
    before = asyncio.all_tasks()
    sockets = [await open_socket(user) for _ in range(SOCKETS)]
    held = asyncio.all_tasks() - before

    per_socket = TASKS_PER_SOCKET[type(get_channel_layer()).__name__]
    assert len(held) <= SOCKETS * per_socket + TASKS_PER_PROCESS, sorted(t.get_coro().__qualname__ for t in held)
    for socket in sockets:
        await socket.disconnect()
