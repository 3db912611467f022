"""An ASGI app for tests of config.server: sockets that open and stay silent, and a page that counts
what the server process holds for them (gc's live objects of a few types)."""

import gc
import json
from collections import Counter

COUNTED = ("HTTPChannel", "Request", "Queue")


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        return
    gc.collect()
    live = Counter(cls.__name__ for obj in gc.get_objects() for cls in type(obj).__mro__ if cls.__name__ in COUNTED)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps({name: live[name] for name in COUNTED}).encode()})
