"""Health and metrics endpoints."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

logger = logging.getLogger("parley.health")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health: database unreachable", exc_info=True)
        return False


def _cache_ok() -> bool:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        ok = cache.get(key) == "1"
        cache.delete(key)
        return ok
    except Exception:
        logger.warning("health: cache unreachable", exc_info=True)
        return False


def _channel_layer_ok() -> bool:
    """Whether the channel layer's Redis hosts answer.

    A PING, not a message round trip: a receive on this process's channels would queue behind the
    receive its sockets keep waiting in, and time out while everything is healthy.
    """
    layer = get_channel_layer()
    if layer is None:
        return False
    if not hasattr(layer, "connection"):
        # The in-memory layer lives in this process: there is nothing to reach.
        return True

    async def ping() -> bool:
        for index in range(layer.ring_size):
            await asyncio.wait_for(layer.connection(index).ping(), timeout=2)
        return True

    try:
        return async_to_sync(ping)()
    except Exception:
        logger.warning("health: channel layer unreachable", exc_info=True)
        return False


@require_GET
def healthz(request):
    checks = {
        "db_connected": _database_ok(),
        "cache_connected": _cache_ok(),
        "channel_layer_connected": _channel_layer_ok(),
    }
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "degraded", **checks, "timestamp": timezone.now().isoformat()}
    return JsonResponse(body, status=200 if healthy else 503)


@require_GET
def metrics(request):
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)
