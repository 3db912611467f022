"""ASGI entry point: HTTP through Django (MCP under /mcp), WebSockets through Channels."""

import functools
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from accounts.websocket import TokenOrSessionAuthMiddleware  # noqa: E402
from config.origins import SocketOriginValidator  # noqa: E402
from conversations.routing import websocket_urlpatterns  # noqa: E402

MCP_PATH = "/mcp"


@functools.cache
def mcp_app():
    """The MCP server, built on the first /mcp request.

    The SDK and the server it builds (models for every protocol message, starlette, rich) take
    about 20 MiB, which a process that only ever serves sockets and the API should not carry.
    """
    from assistant.tools.mcp_server import MCPHttpApp

    return MCPHttpApp(path=MCP_PATH)


async def http_app(scope, receive, send):
    """The MCP server for /mcp and /mcp/..., Django for every other path."""
    path = scope["path"]
    if path == MCP_PATH or path.startswith(MCP_PATH + "/"):
        await mcp_app()(scope, receive, send)
    else:
        await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": SocketOriginValidator(TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
