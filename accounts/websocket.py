"""WebSocket authentication (docs/websocket.md): an access token in `?token=`, in a
`Sec-WebSocket-Protocol` value `parley.token.<token>` or in a first `auth` frame; or the learner
UI's session cookie.

A socket opened with a token lives as long as its token: SocketAuthMixin closes it with 4401 when
the token expires, unless an `auth` frame with a newer token of the same user came first.
"""

import asyncio
import time
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError

from accounts.models import User
from accounts.tokens import access_token_verify
from config.db import database_async

CLOSE_UNAUTHENTICATED = 4401
SUBPROTOCOL = "parley"
TOKEN_SUBPROTOCOL_PREFIX = "parley.token."
# How long a socket opened for an `auth` frame waits for it.
AUTH_FRAME_SECONDS = 10


def _token_user(raw: str) -> tuple:
    """The active user of a valid access token and the token's expiry (epoch seconds)."""
    try:
        token = access_token_verify(raw)
    except TokenError:
        return AnonymousUser(), None
    user = User.objects.filter(id=token["user_id"], is_active=True).first()
    return (user, token["exp"]) if user else (AnonymousUser(), None)


token_user = database_async(_token_user)


@database_async
def user_from_token(raw: str):
    return _token_user(raw)[0]


def _query_token(scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


def _subprotocol_token(scope) -> str | None:
    for value in scope.get("subprotocols") or ():
        if value.startswith(TOKEN_SUBPROTOCOL_PREFIX):
            return value[len(TOKEN_SUBPROTOCOL_PREFIX) :]
    return None


class TokenOrSessionAuthMiddleware:
    """A token (query or subprotocol), when present, decides who the socket belongs to; else the session.

    A socket opened with a token goes straight to the app: the cookie, session and auth layers
    would only hold a scope copy, a lazy session and a lazy user each for the socket's whole life.
    """

    def __init__(self, inner):
        self.inner = inner
        self.session_auth = AuthMiddlewareStack(inner)

    async def __call__(self, scope, receive, send):
        token = _query_token(scope) or _subprotocol_token(scope)
        if token is None:
            return await self.session_auth(scope, receive, send)
        user, expires = await token_user(token)
        return await self.inner(dict(scope, user=user, token_expires=expires), receive, send)


class SocketAuthMixin:
    """For the consumer: the `auth` frame, and the close when the socket's token expires."""

    def auth_subprotocol(self) -> str | None:
        return SUBPROTOCOL if SUBPROTOCOL in (self.scope.get("subprotocols") or ()) else None

    def auth_frame_awaited(self) -> bool:
        """Whether an unauthenticated handshake, with no token, asked to authenticate with its first frame."""
        return "token_expires" not in self.scope and self.auth_subprotocol() is not None

    def auth_frame_wait(self) -> None:
        self.auth_expiry = self._close_later(AUTH_FRAME_SECONDS)

    def auth_expiry_start(self, expires: float | None) -> None:
        """Close the socket when the token that opened it (or re-authenticated it) expires."""
        self.auth_expiry_stop()
        self.auth_expiry = None if expires is None else self._close_later(expires - time.time())

    def auth_expiry_stop(self) -> None:
        if getattr(self, "auth_expiry", None) is not None:
            self.auth_expiry.cancel()

    def _close_later(self, seconds: float) -> asyncio.TimerHandle:
        # A timer, not a task sleeping until then: every socket holds one for its token's whole
        # life, and a timer costs a tenth of the memory of a task with its coroutines.
        return asyncio.get_running_loop().call_later(max(seconds, 0), self._close_now)

    def _close_now(self) -> None:
        self.auth_expiry = asyncio.create_task(self.close(code=CLOSE_UNAUTHENTICATED))

    async def auth_frame(self, frame: dict):
        """The user of an `auth` frame's token, or None (the socket is then closed)."""
        raw = frame.get("token")
        user, expires = await token_user(raw) if isinstance(raw, str) and raw else (AnonymousUser(), None)
        current = getattr(self, "user", None)
        if not user.is_authenticated or (current is not None and current.id != user.id):
            self.auth_expiry_stop()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return None
        self.auth_expiry_start(expires)
        await self.send_json({"type": "authenticated", "user_id": str(user.id), "expires_at": expires})
        return user
