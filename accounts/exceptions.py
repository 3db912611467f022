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
