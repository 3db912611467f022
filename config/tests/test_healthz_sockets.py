"""The health probe and the process's sockets share the channel layer: the probe must not wait on
the sockets' receive, so an idle socket never makes a healthy process look degraded."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.services import tokens_for
from config.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis channel layer (CI's PostgreSQL + Redis run)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_healthz_is_ok_while_an_idle_socket_is_open(user):
    token = (await database_sync_to_async(tokens_for)(user=user))["token"]
    socket = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[ORIGIN])
    assert (await socket.connect())[0]

    responses = [await database_sync_to_async(Client().get)("/healthz") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert all(r.json()["channel_layer_connected"] for r in responses)
    await socket.disconnect()
