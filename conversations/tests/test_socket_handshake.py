import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from accounts.services import tokens_for
from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def access_token(user) -> str:
    return (await database_sync_to_async(tokens_for)(user=user))["token"]


async def connect(path: str, headers=None):
    communicator = WebsocketCommunicator(application, path, headers=headers or [ORIGIN])
    connected, code = await communicator.connect(timeout=10)
    return communicator, connected, code


@pytest.mark.parametrize("path", ["/ws/", "/ws/chat/"])
async def test_a_token_opens_the_socket_and_ping_gets_pong(user, path):
    communicator, connected, _ = await connect(f"{path}?token={await access_token(user)}")

    await communicator.send_json_to({"type": "ping"})

    assert connected
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_a_non_json_frame_gets_an_error_and_the_socket_stays_open(user):
    communicator, _, _ = await connect(f"/ws/?token={await access_token(user)}")

    await communicator.send_to(text_data="this is not json")
    error = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping"})

    assert error["type"] == "error"
    assert error["code"] == "invalid"
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        json.dumps([1, 2]),
        json.dumps({"no": "type"}),
        json.dumps({"type": "no_such_thing"}),
        "x" * 70_000,
        "[" * 60_000,
        '{"type": "user_message", "content": "a\\u0000b", "client_id": "c1"}',
        '{"type": "user_message", "content": "hi", "client_id": "\\ud83d"}',
    ],
)
async def test_malformed_frames_get_error_events(user, frame):
    communicator, _, _ = await connect(f"/ws/?token={await access_token(user)}")

    await communicator.send_to(text_data=frame)

    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


@pytest.mark.parametrize("query", ["", "?token=not-a-token"])
async def test_an_anonymous_handshake_is_refused(query):
    communicator, connected, _ = await connect(f"/ws/{query}")

    assert not connected


async def test_a_cross_origin_handshake_is_refused(user):
    communicator, connected, _ = await connect(
        f"/ws/?token={await access_token(user)}", headers=[(b"origin", b"https://evil.example.com")]
    )

    assert not connected


async def test_the_learner_uis_session_cookie_opens_the_socket(user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    await session.asave()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()

    communicator, connected, _ = await connect("/ws/", headers=[ORIGIN, (b"cookie", cookie)])

    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()
