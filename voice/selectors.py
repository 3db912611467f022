"""Reads for voice: the practice messages a learner may hear."""

from django.core.exceptions import ValidationError as DjangoValidationError

from conversations.models import Message
from voice.exceptions import MessageNotFound


def practice_message_get(*, user, message_id) -> Message:
    """A message of one of the user's practice sessions, with its session; MessageNotFound otherwise."""
    try:
        message = (
            Message.objects.select_related("conversation__practice_session")
            .filter(id=message_id, conversation__practice_session__user=user)
            .first()
        )
    except (ValueError, DjangoValidationError) as exc:
        raise MessageNotFound() from exc
    if message is None:
        raise MessageNotFound()
    return message
