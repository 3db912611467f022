"""WebSocket authentication: `?token=<access token>` or the learner UI's session cookie."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError

from accounts.models import User
from accounts.tokens import access_token_verify
from config.db import database_async


@database_async
def user_from_token(raw: str):
    try:
        token = access_token_verify(raw)
    except TokenError:
        return AnonymousUser()
    return User.objects.filter(id=token["user_id"], is_active=True).first() or AnonymousUser()


def _query_token(scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[0] if values else None


class TokenOrSessionAuthMiddleware:
    """A `token` query parameter, when present, decides who the socket belongs to; else the session.

    A socket opened with a token goes straight to the app: the cookie, session and auth layers
    would only hold a scope copy, a lazy session and a lazy user each for the socket's whole life.
    """

    def __init__(self, inner):
        self.inner = inner
        self.session_auth = AuthMiddlewareStack(inner)

    async def __call__(self, scope, receive, send):
        token = _query_token(scope)
        if token is None:
            return await self.session_auth(scope, receive, send)
        return await self.inner(dict(scope, user=await user_from_token(token)), receive, send)
