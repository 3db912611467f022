"""Events to users' sockets through the channel layer: one group per user, every tab and process."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger("parley.ws")


def user_group(user_id) -> str:
    return f"user.{user_id}"


async def user_send(user_id, payload: dict) -> None:
    """Deliver one client frame to every socket of the user."""
    await get_channel_layer().group_send(user_group(user_id), {"type": "client.event", "payload": payload})


async def user_send_best_effort(user_id, payload: dict) -> bool:
    """Like user_send, for frames whose content is stored anyway: with the channel layer down the
    frame is dropped (clients catch up with `sync`), not the work that produced it. False if dropped."""
    try:
        await user_send(user_id, payload)
    except (RedisError, OSError) as exc:
        logger.warning("frame %s not delivered to user %s: %s", payload["type"], user_id, exc)
        return False
    return True


def user_send_sync(user_id, payload: dict) -> None:
    async_to_sync(user_send)(user_id, payload)
