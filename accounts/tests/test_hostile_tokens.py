"""Hostile tokens are refused on REST and on the socket, and logout closes the user's sockets."""

import asyncio
import base64
import json
import warnings
from datetime import timedelta

import jwt
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone
from jwt.warnings import InsecureKeyLengthWarning
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.services import tokens_for
from config.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _b64(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _claims(user) -> dict:
    return dict(AccessToken.for_user(user).payload)


def forged(user) -> str:
    return jwt.encode(_claims(user), "not-parleys-secret-key-but-long-enough-for-hs256", algorithm="HS256")


def alg_none(user) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(user))}."


def alg_none_with_our_signature(user) -> str:
    # A real token whose header is rewritten to `none`: the signature no longer matches anything.
    _, payload, signature = str(AccessToken.for_user(user)).split(".")
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.{signature}"


def other_algorithm(user) -> str:
    # Parley's own key with an algorithm it does not use (PyJWT warns the key is short for HS512).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(_claims(user), settings.SECRET_KEY, algorithm="HS512")


def foreign_audience(user) -> str:
    # Signed with Parley's own key but minted for another service: PyJWT refuses an `aud` it was
    # not told to expect.
    return jwt.encode({**_claims(user), "aud": "another-service"}, settings.SECRET_KEY, algorithm="HS256")


def issuer_less(user) -> str:
    claims = _claims(user)
    claims.pop("iss", None)
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


def foreign_issuer(user) -> str:
    return jwt.encode(
        {**_claims(user), "iss": "https://issuer.example.com"},
        "the-other-issuers-own-signing-key-0123456789",
        algorithm="HS256",
    )


def expired(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    return str(token)


def refresh_as_access(user) -> str:
    return str(RefreshToken.for_user(user))


def garbage(user) -> str:
    return "eyJhbGciOiJIUzI1NiJ9.not-base64!.x"


HOSTILE = [
    forged,
    alg_none,
    alg_none_with_our_signature,
    other_algorithm,
    foreign_audience,
    issuer_less,
    foreign_issuer,
    expired,
    refresh_as_access,
    garbage,
]


@pytest.mark.django_db
@pytest.mark.parametrize("make_token", HOSTILE, ids=lambda f: getattr(f, "__name__", str(f)))
def test_a_hostile_token_is_refused_on_rest_with_the_envelope(user, make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(user)}")

    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401, response.content
    body = response.json()
    assert set(body) == {"error", "code"}
    assert body["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_genuine_token_is_accepted_on_rest(user):
    # The same request as the refusals above, so a refusal is the token's doing and nothing else.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['token']}")

    assert client.get("/api/v1/auth/me").status_code == 200


async def _connect(token: str) -> tuple[WebsocketCommunicator, bool]:
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    return communicator, connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("make_token", HOSTILE, ids=lambda f: getattr(f, "__name__", str(f)))
async def test_a_hostile_token_is_refused_at_the_socket_handshake(user, make_token):
    token = await database_sync_to_async(make_token)(user)

    communicator, connected = await _connect(token)

    assert not connected
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_logout_closes_every_socket_of_the_user_within_a_second(user, other_user):
    # given two sockets of the user, opened with tokens of two different sign-ins, and one of
    # someone else
    first = await database_sync_to_async(tokens_for)(user=user)
    second = await database_sync_to_async(tokens_for)(user=user)
    bystander_tokens = await database_sync_to_async(tokens_for)(user=other_user)
    tab, _ = await _connect(first["token"])
    phone, _ = await _connect(second["token"])
    bystander, _ = await _connect(bystander_tokens["token"])

    # when the first sign-in logs out
    response = await database_sync_to_async(APIClient().post)(
        "/api/v1/auth/logout", {"refresh": first["refresh"]}, format="json"
    )

    # then both of the user's sockets close with 4401 and the bystander's stays open
    assert response.status_code == 200
    closes = await asyncio.gather(tab.receive_output(timeout=1), phone.receive_output(timeout=1))
    assert closes == [{"type": "websocket.close", "code": 4401}] * 2
    await bystander.send_json_to({"type": "ping"})
    assert await bystander.receive_json_from(timeout=1) == {"type": "pong"}
    await bystander.disconnect()
