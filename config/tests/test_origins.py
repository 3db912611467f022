"""Which Origins may open a socket or call MCP: scheme, host and port, not the host alone."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from accounts.services import tokens_for
from config.asgi import application
from config.origins import origin_allowed

pytestmark = pytest.mark.django_db(transaction=True)


def scope(origin: str | None, host: str = "parley.example.com", scheme: str = "wss", **headers: str) -> dict:
    pairs = [(b"host", host.encode())] if host else []
    if origin is not None:
        pairs.append((b"origin", origin.encode()))
    pairs += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    return {"type": "websocket", "scheme": scheme, "headers": pairs}


@pytest.fixture(autouse=True)
def site(settings):
    settings.ALLOWED_HOSTS = ["parley.example.com", "127.0.0.1"]
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.org", "https://*.partner.example.net"]


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://parley.example.com", True),
        ("https://parley.example.com:443", True),
        ("HTTPS://Parley.Example.com", True),
        ("http://parley.example.com", False),  # another scheme
        ("https://parley.example.com:8443", False),  # another port
        ("https://evil.example.com", False),
        ("https://parley.example.com.evil.example.com", False),
        ("https://app.example.org", True),  # trusted
        ("http://app.example.org", False),
        ("https://app.example.org:444", False),
        ("https://eu.partner.example.net", True),  # a trusted wildcard
        ("https://partner.example.net.evil.com", False),
        ("null", False),
        ("", False),
        (None, False),
    ],
)
def test_an_origin_must_match_in_scheme_host_and_port(origin, allowed):
    assert origin_allowed(scope(origin)) is allowed


def test_a_plain_socket_has_the_http_origin_of_its_host_and_port():
    assert origin_allowed(scope("http://127.0.0.1:8090", host="127.0.0.1:8090", scheme="ws"))
    assert not origin_allowed(scope("http://127.0.0.1", host="127.0.0.1:8090", scheme="ws"))
    assert not origin_allowed(scope("https://127.0.0.1:8090", host="127.0.0.1:8090", scheme="ws"))


def test_behind_a_tls_proxy_the_scheme_is_the_forwarded_one():
    forwarded = scope("https://parley.example.com", scheme="ws", x_forwarded_proto="https")

    assert origin_allowed(forwarded)
    assert not origin_allowed(scope("https://parley.example.com", scheme="ws"))


def test_a_host_that_is_not_allowed_has_no_own_origin():
    assert not origin_allowed(scope("https://attacker.example.com", host="attacker.example.com"))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"http://127.0.0.1:8000", True), (b"http://127.0.0.1:9999", False), (b"https://127.0.0.1:8000", False)],
)
async def test_the_socket_refuses_an_origin_on_another_scheme_or_port(user, origin, accepted):
    token = (await database_sync_to_async(tokens_for)(user=user))["token"]
    socket = WebsocketCommunicator(
        application, f"/ws/?token={token}", headers=[(b"host", b"127.0.0.1:8000"), (b"origin", origin)]
    )

    connected, _ = await socket.connect()
    await socket.disconnect()

    assert connected is accepted
