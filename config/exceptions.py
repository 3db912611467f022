"""Parley's errors and the one place that renders them as the API envelope.

Every error on an /api/ path has the shape `{"error": ..., "code": ..., "fields": {...}}`
(`fields` only for validation errors).
"""

import logging
import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

logger = logging.getLogger("parley.api")


class ParleyError(Exception):
    """Base of the errors services raise: a message, a machine code and an HTTP status."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_message = "The request is not valid."

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields
        super().__init__(self.message)


class NotFound(ParleyError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class Conflict(ParleyError):
    status_code = status.HTTP_409_CONFLICT
    code = "conflict"
    default_message = "This conflicts with an existing resource."


class Forbidden(ParleyError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"
    default_message = "You are not allowed to do this."


class ServiceUnavailable(ParleyError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "unavailable"
    default_message = "The service is unavailable, please retry later."


_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


def envelope(message: str, code: str, fields: dict | None = None) -> dict:
    body = {"error": message, "code": code}
    if fields:
        body["fields"] = fields
    return body


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key == "non_field_errors" else f"{key}: {inner}"
        return "Invalid input."
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else "Invalid input."
    return str(detail)


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error becomes the documented envelope."""
    if isinstance(exc, ParleyError):
        retry_after = getattr(exc, "retry_after", None)
        # Retry-After is whole seconds (RFC 9110), rounded up so a client waiting that long is let in.
        headers = {"Retry-After": str(math.ceil(retry_after))} if retry_after else None
        return Response(envelope(exc.message, exc.code, exc.fields), status=exc.status_code, headers=headers)
    if isinstance(exc, RequestDataTooBig):
        # Past DATA_UPLOAD_MAX_MEMORY_SIZE: refused before it is read, not a fault of ours.
        return Response(
            envelope("The request body is too large.", "too_large"), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        view = context.get("view")
        logger.exception("unhandled error in %s", type(view).__name__ if view else "api")
        return Response(
            envelope("Something went wrong on our side. Please retry later.", "server_error"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait) + 1)

    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = envelope(_first_message(detail), "invalid", detail)
    else:
        detail = exc.detail
        if isinstance(detail, dict):
            message = str(detail.get("detail", _first_message(detail)))
            code = code or str(detail.get("code", "error"))
        else:
            message = str(detail)
            code = code or getattr(detail, "code", None) or exc.default_code
        body = envelope(message, code)
    return Response(body, status=exc.status_code, headers=headers)
