"""django-axes glue: one limit on failed sign-ins for every door (REST, the sign-in page, the admin).

Failures are counted in the cache per account and per client address (config.client_ip); past
LOGIN_FAILURE_LIMIT either is refused until LOGIN_LOCKOUT_MINUTES pass without a new failure.
"""

from axes.helpers import get_cool_off
from django.shortcuts import render


def lockout_seconds() -> int:
    """How long a locked-out account or address waits (the Retry-After)."""
    return int(get_cool_off().total_seconds())


def username_from(request, credentials: dict | None) -> str | None:
    """The account an attempt names, as the sign-in backend reads it (emails case-insensitively)."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username")
    if name is None and request is not None:
        name = request.POST.get("email") or request.POST.get("username")
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    return name.lower() if "@" in name else name


def lockout_response(request, original_response=None, credentials=None):
    """The admin's answer once locked out; the sign-in page renders its own 429 (accounts.views)."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    response = render(request, "accounts/locked_out.html", status=429)
    response["Retry-After"] = str(lockout_seconds())
    return response
