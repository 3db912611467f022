"""The assistant's tools for outside agents over MCP: streamable HTTP at /mcp/ and stdio.

Over HTTP every request carries the learner's access token (`Authorization: Bearer ...`, the same
simplejwt token the API takes) and every tool call acts as that learner; over stdio the process
acts as the one learner named on the command line.
"""

import asyncio
import math
from collections.abc import Awaitable, Callable

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from accounts.models import User
from accounts.throttles import user_call_wait
from accounts.websocket import user_from_token
from assistant.tools.registry import TOOLS, ToolSpec, tool_run
from config.origins import origin_allowed, origin_present

INSTRUCTIONS = (
    "Parley's study tools for one language learner: their vocabulary, mistakes, practice templates, "
    "progress, a suggestion of what to practise next, and starting a practice session."
)

# The SDK's auth settings want an issuer; it is only advertised alongside OAuth routes, which Parley
# does not serve (its own login issues the tokens), so this value never reaches a client.
ISSUER_URL = "http://localhost"

UserGetter = Callable[[], Awaitable[User]]


class JWTTokenVerifier:
    """Accept Parley's own access tokens; the token's user is the MCP principal."""

    async def verify_token(self, token: str) -> AccessToken | None:
        user = await user_from_token(token)
        if not user.is_authenticated:
            return None
        return AccessToken(token=token, client_id=f"parley-user-{user.pk}", scopes=[], subject=str(user.pk))


async def _user_from_request() -> User:
    token = get_access_token()
    user = await sync_to_async(User.objects.filter(pk=token.subject, is_active=True).first)() if token else None
    if user is None:
        raise ToolError("Not authenticated.")
    return user


def _mcp_function(spec: ToolSpec, current_user: UserGetter) -> Callable[..., Awaitable[str]]:
    """An async function with the tool's signature (minus `user`) that the SDK can describe and call."""

    def run(user: User, arguments: dict) -> str:
        # Every tool call counts against the user's API limit (THROTTLE_RATE_USER), shared with REST.
        wait = user_call_wait(user=user)
        if wait is not None:
            raise ToolError(f"Too many requests: the API limit is used up. Retry in {math.ceil(wait)} seconds.")
        result = tool_run(user=user, name=spec.name, arguments=arguments)
        if not result.ok:
            raise ToolError(result.error)
        return result.content()

    async def call(**arguments) -> str:
        return await sync_to_async(run)(await current_user(), arguments)

    call.__name__ = spec.name
    call.__doc__ = spec.description
    call.__signature__ = spec.signature
    return call


def server_build(*, current_user: UserGetter, http: bool) -> MCPServer:
    """An MCP server with every tool, acting as whoever `current_user` returns."""
    auth = {}
    if http:
        auth = {
            "token_verifier": JWTTokenVerifier(),
            "auth": AuthSettings(issuer_url=ISSUER_URL, resource_server_url=None),
        }
    server = MCPServer("parley", instructions=INSTRUCTIONS, **auth)
    for spec in TOOLS.values():
        server.add_tool(
            _mcp_function(spec, current_user), name=spec.name, description=spec.description, structured_output=False
        )
    return server


def _refusal(scope) -> tuple[int, bytes] | None:
    """DNS-rebinding and cross-site protection, since these requests bypass Django's own checks: the
    Host must be one of ALLOWED_HOSTS, and an Origin, when a browser sends one, must pass the rule
    the socket uses (config.origins: the site's own scheme, host and port, or CSRF_TRUSTED_ORIGINS).
    An agent that is no browser sends no Origin."""
    host = next((value.decode("latin-1") for key, value in scope.get("headers", ()) if key.lower() == b"host"), "")
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return 421, b"Invalid Host header"
    if origin_present(scope) and not origin_allowed(scope):
        return 403, b"Invalid Origin header"
    return None


class MCPHttpApp:
    """The streamable HTTP app, with its session manager started on the first request.

    Daphne sends no ASGI lifespan events, so the manager cannot start at boot; it runs in a task of
    the serving loop from the first request on. The server is stateless (a fresh transport per
    request), so nothing depends on which worker or which earlier request a client talked to.
    """

    def __init__(self, *, path: str) -> None:
        self._path = path
        self._server = server_build(current_user=_user_from_request, http=True)
        self._app = self._server.streamable_http_app(
            streamable_http_path=path,
            stateless_http=True,
            json_response=True,
            # Checked by _refusal() instead, with Django's host matching and the socket's origin rule.
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self._ready: asyncio.Event | None = None
        self._runner: asyncio.Task | None = None

    async def _run_manager(self) -> None:
        async with self._server.session_manager.run():
            self._ready.set()
            await asyncio.Event().wait()

    async def __call__(self, scope, receive, send) -> None:
        if self._ready is None:
            # No await between the check and the assignment: one event loop, so one runner.
            self._ready = asyncio.Event()
            self._runner = asyncio.create_task(self._run_manager(), name="mcp-session-manager")
        await self._ready.wait()
        refusal = _refusal(scope)
        if refusal is not None:
            status, text = refusal
            await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": text})
            return
        if scope["path"] == self._path + "/":
            scope = {**scope, "path": self._path, "raw_path": self._path.encode()}
        await self._app(scope, receive, send)
