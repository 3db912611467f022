"""Two tabs served by two event loops (as two processes would be) sharing the Redis channel layer."""

import asyncio
import os
import threading
import uuid

import pytest
from channels.layers import channel_layers
from channels.routing import URLRouter
from django.urls import re_path

from accounts.websocket import TokenOrSessionAuthMiddleware
from conversations.consumers import ParleyConsumer
from conversations.tests.factories import practice_session
from conversations.tests.test_sessions_socket import frames_until, open_socket


class SecondProcessConsumer(ParleyConsumer):
    channel_layer_alias = "second"


second_process_app = TokenOrSessionAuthMiddleware(URLRouter([re_path(r"^ws/$", SecondProcessConsumer.as_asgi())]))


@pytest.fixture
def redis_layer(settings):
    # Redis runs on every machine Parley is built on; the in-memory layer cannot span event loops.
    # Two aliases for the same Redis give each loop its own layer instance, as two processes have:
    # the sending tab gets the stream inside its process, the other one through Redis.
    layer = {
        "BACKEND": "config.channel_layer.RedisChannelLayer",
        "CONFIG": {
            # a read outlasting the 5 s BZPOPMIN, as in production (config/settings.py)
            "hosts": [{"address": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "socket_timeout": 15}],
            "prefix": f"parley-test-{uuid.uuid4().hex[:8]}",
        },
    }
    settings.CHANNEL_LAYERS = {"default": layer, "second": layer}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def run_in_own_loop(coroutine_factory, results: dict, name: str, started: threading.Event | None = None):
    def target():
        try:
            results[name] = asyncio.run(coroutine_factory())
        except BaseException as exc:  # noqa: BLE001 (reported to the test thread)
            results[name] = exc
        finally:
            if started is not None:
                started.set()

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_tab_on_another_event_loop_receives_the_stream(redis_layer, user):
    session = practice_session(user=user)
    listening = threading.Event()
    results: dict = {}

    async def other_tab():
        socket = await open_socket(user, application=second_process_app)
        listening.set()
        frames = await frames_until(socket, "ai.message", timeout=15)
        await socket.disconnect()
        return frames

    async def sending_tab():
        socket = await open_socket(user)
        await socket.send_json_to(
            {"type": "user_message", "session_id": str(session.id), "content": "こんにちは", "client_id": "loops"}
        )
        frames = await frames_until(socket, "ai.message", timeout=15)
        await asyncio.sleep(0.5)
        await socket.disconnect()
        return frames

    listener = run_in_own_loop(other_tab, results, "other")
    assert listening.wait(15)
    sender = run_in_own_loop(sending_tab, results, "sender")
    listener.join(30)
    sender.join(30)

    for name in ("other", "sender"):
        assert not isinstance(results.get(name), BaseException), results.get(name)
    other, sent = results["other"], results["sender"]
    assert other[-1]["message"]["id"] == sent[-1]["message"]["id"]
    assert [f["index"] for f in other if f["type"] == "ai.delta"] == [
        f["index"] for f in sent if f["type"] == "ai.delta"
    ]
