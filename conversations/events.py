"""Events to users' sockets through the channel layer: one group per user, every tab and process."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger("parley.ws")


def user_group(user_id) -> str:
    return f"user.{user_id}"


async def users_send(user_ids, *payloads: dict) -> None:
    """Client frames, in order, to every socket of each user: one channel-layer message for them all.

    With the Redis layer (config.channel_layer) that is two round trips to Redis however many users,
    and one queue entry per process holding their sockets.
    """
    groups = [user_group(user_id) for user_id in dict.fromkeys(user_ids)]
    if not groups or not payloads:
        return
    if len(payloads) == 1:
        event = {"type": "client.event", "payload": payloads[0]}
    else:
        event = {"type": "client.events", "payloads": list(payloads)}
    await _groups_send(groups, event)


# Users a users_send_each message carries at most: what a process hands each of its sockets is one
# message of this many users' frames, which it reads once.
EACH_USERS_A_MESSAGE = 200


async def users_send_each(payloads_by_user: dict) -> None:
    """Frames that differ from user to user (`{user_id: [frame, ...]}`), each to every socket of its
    user, in order: one channel-layer message for up to EACH_USERS_A_MESSAGE users, which every
    process holding their sockets gets once and each socket takes its own user's frames from (a
    process's delivery receipts: a message each would cost each its Redis round trips)."""
    by_user = {str(user_id): list(frames) for user_id, frames in payloads_by_user.items() if frames}
    users = list(by_user)
    for start in range(0, len(users), EACH_USERS_A_MESSAGE):
        chunk = users[start : start + EACH_USERS_A_MESSAGE]
        event = {"type": "client.each", "payloads": {user_id: by_user[user_id] for user_id in chunk}}
        await _groups_send([user_group(user_id) for user_id in chunk], event)


async def _groups_send(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if hasattr(layer, "group_send_many"):
        await layer.group_send_many(groups, event)
    else:
        await asyncio.gather(*(layer.group_send(group, event) for group in groups))


async def user_send(user_id, payload: dict) -> None:
    """Deliver one client frame to every socket of the user."""
    await users_send([user_id], payload)


async def user_send_best_effort(user_id, *payloads: dict) -> bool:
    """Like user_send (several frames go in order, in one channel-layer message), for frames whose
    content is stored anyway: with the channel layer down the frames are dropped (clients catch up
    with `sync`), not the work that produced them. False if dropped."""
    try:
        await users_send([user_id], *payloads)
    except (RedisError, OSError) as exc:
        kinds = ", ".join(payload["type"] for payload in payloads)
        logger.warning("frames %s not delivered to user %s: %s", kinds, user_id, exc)
        return False
    return True


def user_send_sync(user_id, payload: dict) -> None:
    async_to_sync(user_send)(user_id, payload)


def sockets_close(*, user_id, **kwargs) -> None:
    """Close every open socket of the user (all tabs, devices and processes) with code 4401.

    Receives accounts' `signed_out`: the sign-out is done already, so an unreachable channel layer
    must not fail it.
    """
    try:
        async_to_sync(get_channel_layer().group_send)(user_group(user_id), {"type": "session.revoked"})
    except Exception:
        logger.warning("logout: could not close the sockets of user %s", user_id, exc_info=True)
