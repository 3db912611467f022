"""Socket authentication without the token in the URL (a `Sec-WebSocket-Protocol` value or a
first `auth` frame), and a socket that ends with its token unless it re-authenticates."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import tokens_for
from config.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
CLOSED = {"type": "websocket.close", "code": 4401}


async def fresh_token(user) -> str:
    return (await database_sync_to_async(tokens_for)(user=user))["token"]


def short_lived(user, seconds: int) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def open_socket(path="/ws/", subprotocols=None):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN], subprotocols=subprotocols)
    connected, subprotocol = await communicator.connect()
    return communicator, connected, subprotocol


async def test_a_token_in_the_subprotocol_opens_the_socket(user):
    token = await fresh_token(user)

    communicator, connected, subprotocol = await open_socket(subprotocols=["parley", f"parley.token.{token}"])
    await communicator.send_json_to({"type": "ping"})

    assert connected
    assert subprotocol == "parley"
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_a_bad_token_in_the_subprotocol_is_refused():
    _, connected, _ = await open_socket(subprotocols=["parley", "parley.token.not-a-token"])

    assert not connected


async def test_a_first_auth_frame_authenticates_the_socket(user):
    token = await fresh_token(user)

    communicator, connected, subprotocol = await open_socket(subprotocols=["parley"])
    await communicator.send_json_to({"type": "auth", "token": token})
    authenticated = await communicator.receive_json_from()
    await communicator.send_json_to({"type": "ping"})

    assert connected and subprotocol == "parley"
    assert authenticated["type"] == "authenticated"
    assert authenticated["user_id"] == str(user.id)
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


@pytest.mark.parametrize("first", [{"type": "ping"}, {"type": "auth", "token": "garbage"}])
async def test_anything_but_a_valid_first_auth_frame_closes_the_socket(first):
    communicator, _, _ = await open_socket(subprotocols=["parley"])

    await communicator.send_json_to(first)

    assert await communicator.receive_output(timeout=2) == CLOSED


async def test_a_handshake_offering_no_credentials_at_all_is_still_refused():
    _, connected, _ = await open_socket()

    assert not connected


async def test_a_socket_closes_when_its_token_expires(user):
    token = await database_sync_to_async(short_lived)(user, 2)
    communicator, connected, _ = await open_socket(f"/ws/?token={token}")

    assert connected
    assert await communicator.receive_output(timeout=6) == CLOSED


async def test_re_authenticating_keeps_the_socket_past_the_first_token(user):
    token = await database_sync_to_async(short_lived)(user, 2)
    communicator, _, _ = await open_socket(f"/ws/?token={token}")

    await communicator.send_json_to({"type": "auth", "token": await fresh_token(user)})
    assert (await communicator.receive_json_from())["type"] == "authenticated"
    # Past the first token's expiry the socket still answers.
    assert await communicator.receive_nothing(timeout=3)
    await communicator.send_json_to({"type": "ping"})

    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()


async def test_re_authenticating_as_someone_else_is_refused(user, other_user):
    communicator, _, _ = await open_socket(f"/ws/?token={await fresh_token(user)}")

    await communicator.send_json_to({"type": "auth", "token": await fresh_token(other_user)})

    assert await communicator.receive_output(timeout=2) == CLOSED
