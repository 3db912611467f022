"""Access tokens that outlive a sign-out are refused: a denylist in the cache, keyed by sign-in.

Every token of one sign-in carries its id, `sid` (the first refresh token's `jti`, kept through
every rotation and copied into each access token). Logging out puts that id in the cache for one
access-token lifetime, the longest any of its access tokens can still be valid; after that the
tokens have expired on their own.
"""

from django.core.cache import cache
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, Token

SIGN_IN_CLAIM = "sid"


def _key(sign_in_id: str) -> str:
    return f"auth:signed-out:{sign_in_id}"


def sign_in_id(token: Token) -> str:
    """The sign-in a token belongs to (tokens minted before `sid` existed count as their own)."""
    return str(token.get(SIGN_IN_CLAIM) or token[api_settings.JTI_CLAIM])


def sign_in_revoke(*, token: Token) -> None:
    """Refuse every access token of the token's sign-in until the last of them has expired."""
    timeout = int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()) + 1
    cache.set(_key(sign_in_id(token)), True, timeout)


def access_token_revoked(token: Token) -> bool:
    return bool(cache.get(_key(sign_in_id(token))))


def access_token_verify(raw: str) -> AccessToken:
    """A valid, unexpired, unrevoked access token; raises simplejwt's TokenError otherwise."""
    token = AccessToken(raw)
    if access_token_revoked(token):
        raise TokenError("The token was revoked by a sign-out.")
    return token
