"""Events to users' sockets through the channel layer: one group per user, every tab and process."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def user_group(user_id) -> str:
    return f"user.{user_id}"


async def user_send(user_id, payload: dict) -> None:
    """Deliver one client frame to every socket of the user."""
    await get_channel_layer().group_send(user_group(user_id), {"type": "client.event", "payload": payload})


def user_send_sync(user_id, payload: dict) -> None:
    async_to_sync(user_send)(user_id, payload)
