from rest_framework import status

from config.exceptions import Conflict, ParleyError


class EmailTaken(Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists."


class InvalidCredentials(ParleyError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_credentials"
    default_message = "Wrong email or password."


class InvalidToken(ParleyError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "invalid_token"
    default_message = "The token is invalid or expired."


class GoogleSignInError(ParleyError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "google_sign_in_failed"
    default_message = "Google sign-in failed."


class GoogleNotConfigured(ParleyError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "google_not_configured"
    default_message = "Google sign-in is not configured on this server."


class TooManyAttempts(ParleyError):
    """Sign-in refused after repeated failures for the account or the client address."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "throttled"
    default_message = "Too many failed sign-in attempts. Please wait and try again."

    def __init__(self, message: str | None = None, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after
