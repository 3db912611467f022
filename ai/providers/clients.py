"""SDK clients kept per event loop: their connection pools belong to the loop that opened them."""

import asyncio
import weakref
from collections.abc import Callable, Hashable
from typing import Any

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, Any]] = weakref.WeakKeyDictionary()


def client_for(key: Hashable, factory: Callable[[], Any]) -> Any:
    """Return this loop's client for `key`, creating it once, so connections are reused between calls."""
    per_loop = _clients.setdefault(asyncio.get_running_loop(), {})
    client = per_loop.get(key)
    if client is None:
        client = per_loop[key] = factory()
    return client
