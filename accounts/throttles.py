"""Throttles. Rates are settings (THROTTLE_RATE_AUTH, THROTTLE_RATE_USER); counts live in the
cache, so with Redis they hold across processes. A client's address is config.client_ip's, which
believes X-Forwarded-For only from TRUSTED_PROXIES."""

import hashlib
from types import SimpleNamespace

from rest_framework.throttling import SimpleRateThrottle
from rest_framework.throttling import UserRateThrottle as BaseUserRateThrottle

from config.client_ip import client_ip


class ClientIPMixin:
    def get_ident(self, request):
        return client_ip(request)


class UserRateThrottle(ClientIPMixin, BaseUserRateThrottle):
    """Every authenticated call, per user; anonymous calls per IP at the same rate."""

    scope = "user"


def user_call_wait(*, user) -> float | None:
    """Count one call by `user` from a door outside DRF (MCP) against the same per-user limit as REST.

    None when the call may go ahead; otherwise the seconds until the next one would be allowed.
    """
    throttle = UserRateThrottle()
    if throttle.allow_request(SimpleNamespace(user=user), None):
        return None
    return throttle.wait() or 1.0


class AuthIPThrottle(ClientIPMixin, SimpleRateThrottle):
    """Sign-in and sign-up attempts per client IP."""

    scope = "auth_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthAccountThrottle(SimpleRateThrottle):
    """Sign-in and sign-up attempts per account (the email), whatever IP they come from."""

    scope = "auth_account"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if hasattr(request.data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed: whatever the client typed (NUL, a lone surrogate) makes a valid cache key.
        ident = hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}
