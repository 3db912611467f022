"""Events to users' sockets through the channel layer: one group per user, every tab and process."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id) -> str:
    return f"user.{user_id}"


async def user_send(user_id, payload: dict) -> None:
    """Deliver one client frame to every socket of the user."""
    await get_channel_layer().group_send(user_group(user_id), {"type": "client.event", "payload": payload})


def user_send_sync(user_id, payload: dict) -> None:
    async_to_sync(user_send)(user_id, payload)


def user_send_on_commit(user_id, payload: dict) -> None:
    """Deliver after the current transaction commits, so a rollback leaves no trace."""
    transaction.on_commit(lambda: user_send_sync(user_id, payload))
