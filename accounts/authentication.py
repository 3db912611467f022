"""REST authentication: simplejwt's bearer tokens, minus those revoked by a sign-out."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts.tokens import access_token_revoked


class RevocableJWTAuthentication(JWTAuthentication):
    def get_validated_token(self, raw_token):
        token = super().get_validated_token(raw_token)
        if access_token_revoked(token):
            raise InvalidToken({"detail": "The token was revoked by a sign-out.", "code": "token_not_valid"})
        return token


class RevocableJWTScheme(SimpleJWTScheme):
    """The schema's bearer scheme for it, as for simplejwt's own class."""

    target_class = "accounts.authentication.RevocableJWTAuthentication"
