"""ASGI entry point: HTTP through Django (MCP under /mcp), WebSockets through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.websocket import TokenOrSessionAuthMiddleware  # noqa: E402
from conversations.routing import websocket_urlpatterns  # noqa: E402
from conversations.tools.mcp_server import MCP_PATH, MCPHttpApp  # noqa: E402

mcp_app = MCPHttpApp()


async def http_app(scope, receive, send):
    """The MCP server for /mcp and /mcp/..., Django for every other path."""
    path = scope["path"]
    if path == MCP_PATH or path.startswith(MCP_PATH + "/"):
        await mcp_app(scope, receive, send)
    else:
        await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(TokenOrSessionAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
