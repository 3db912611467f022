"""Which Origins may open a socket (/ws/) or call MCP (/mcp): the rule Django's CSRF check applies
to a form POST, on scheme, host and port alike.

An Origin is allowed when it is the site's own origin (the scheme the request came in on, then
the Host header, which must be one of ALLOWED_HOSTS) or is listed in CSRF_TRUSTED_ORIGINS
(`https://app.example.com`, `https://*.example.com`). Behind a TLS-terminating proxy the scheme is
the one SECURE_PROXY_SSL_HEADER names, as for Django's own requests.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain

DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin, the port made explicit; None when it is no http(s) origin."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _trusted(origin: tuple[str, str, int]) -> bool:
    scheme, host, port = origin
    for entry in settings.CSRF_TRUSTED_ORIGINS:
        # A wildcard entry's `*` is no valid hostname: read the rest and match it as Django does.
        wildcard = "://*." in entry
        trusted = _origin(entry.replace("://*.", "://", 1) if wildcard else entry)
        if trusted is None or trusted[0] != scheme or trusted[2] != port:
            continue
        if trusted[1] == host or (wildcard and is_same_domain(host, "." + trusted[1])):
            return True
    return False


def _header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _secure(scope: dict) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, expected = settings.SECURE_PROXY_SSL_HEADER
        header = meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = _header(scope, header)
        return value is not None and value.split(",")[0].strip() == expected
    return False


def origin_allowed(scope: dict) -> bool:
    """Whether the request's Origin header is the site's own origin or a trusted one.

    A request without an Origin is not judged here (browsers always send one on a WebSocket
    handshake and on a cross-origin fetch); the caller decides.
    """
    origin = _origin(_header(scope, b"origin") or "")
    if origin is None:
        return False
    if _trusted(origin):
        return True
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    own = _origin(f"{'https' if _secure(scope) else 'http'}://{host}")
    return own is not None and own == origin


def origin_present(scope: dict) -> bool:
    return _header(scope, b"origin") is not None


class SocketOriginValidator:
    """Refuse (403 on the upgrade) a socket whose Origin is missing, foreign, or only shares the host.

    It hands back the application that serves the socket instead of awaiting it, so it holds no
    coroutine of its own for as long as the socket is open.
    """

    def __init__(self, inner):
        self.inner = inner

    def __call__(self, scope, receive, send):
        if origin_allowed(scope):
            return self.inner(scope, receive, send)
        return WebsocketDenier()(scope, receive, send)
