"""WebSocket authentication: `?token=<access token>` or the learner UI's session cookie."""

from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from config.db import database_async


@database_async
def user_from_token(raw: str):
    try:
        token = AccessToken(raw)
    except TokenError:
        return AnonymousUser()
    return User.objects.filter(id=token["user_id"], is_active=True).first() or AnonymousUser()


class JWTQueryMiddleware(BaseMiddleware):
    """A `token` query parameter, when present, decides who the socket belongs to."""

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            scope = dict(scope, user=await user_from_token(query["token"][0]))
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddleware(inner):  # noqa: N802 (named like the channels stacks it wraps)
    return AuthMiddlewareStack(JWTQueryMiddleware(inner))
