"""Signing out revokes what the sign-in issued: the refresh token, every access token of that
sign-in (REST, a socket reconnect, MCP) and the sockets; one refresh token rotates once."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import tokens_for
from accounts.websocket import user_from_token
from config.asgi import application

ORIGIN = (b"origin", b"http://127.0.0.1:8000")
CONCURRENT = 8


def me(access: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/auth/me")


def refresh(token: str):
    return APIClient().post("/api/v1/auth/refresh", {"refresh": token}, format="json")


def logout(token: str):
    return APIClient().post("/api/v1/auth/logout", {"refresh": token}, format="json")


# SQLite's shared in-memory test database refuses concurrent writers outright ("table is locked").
@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_refreshed_concurrently_has_one_winner(user):
    token = tokens_for(user=user)["refresh"]
    start = threading.Barrier(CONCURRENT)
    statuses: list[int] = []

    def attempt():
        try:
            start.wait()
            statuses.append(refresh(token).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [401] * (CONCURRENT - 1)


@pytest.mark.django_db
def test_an_access_token_stops_working_on_rest_after_logout(user):
    pair = tokens_for(user=user)
    assert me(pair["token"]).status_code == 200

    assert logout(pair["refresh"]).status_code == 200
    after = me(pair["token"])

    assert after.status_code == 401
    assert after.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_access_tokens_from_before_a_refresh_die_with_the_sign_in(user):
    first = tokens_for(user=user)
    rotated = refresh(first["refresh"]).json()

    logout(rotated["refresh"])

    assert me(first["token"]).status_code == 401
    assert me(rotated["token"]).status_code == 401


@pytest.mark.django_db
def test_another_sign_in_keeps_its_access_token(user):
    mine, theirs = tokens_for(user=user), tokens_for(user=user)

    logout(mine["refresh"])

    assert me(theirs["token"]).status_code == 200


@pytest.mark.django_db
def test_logout_with_a_deleted_users_refresh_token_is_refused_in_the_envelope():
    doomed = User.objects.create(username="doomed", email="doomed@example.com", password="!")
    token = tokens_for(user=doomed)["refresh"]
    doomed.delete()

    response = logout(token)

    assert response.status_code == 401
    assert set(response.json()) == {"error", "code"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_revoked_access_token_opens_no_socket_and_no_mcp_session(user):
    pair = await database_sync_to_async(tokens_for)(user=user)
    await database_sync_to_async(logout)(pair["refresh"])

    communicator = WebsocketCommunicator(application, f"/ws/?token={pair['token']}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    principal = await user_from_token(pair["token"])

    assert not connected
    assert not principal.is_authenticated
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_signing_out_on_the_web_closes_that_users_cookie_sockets(user, other_user):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    await session.asave()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()
    tab = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"cookie", cookie)])
    assert (await tab.connect())[0]
    bystander_token = (await database_sync_to_async(tokens_for)(user=other_user))["token"]
    bystander = WebsocketCommunicator(application, f"/ws/?token={bystander_token}", headers=[ORIGIN])
    assert (await bystander.connect())[0]

    def sign_out():
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return browser.post("/logout/")

    response = await database_sync_to_async(sign_out)()

    assert response.status_code == 302
    assert await tab.receive_output(timeout=2) == {"type": "websocket.close", "code": 4401}
    await bystander.send_json_to({"type": "ping"})
    assert await bystander.receive_json_from(timeout=2) == {"type": "pong"}
    await asyncio.gather(bystander.disconnect(), tab.disconnect())
