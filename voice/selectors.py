"""Reads for voice: the practice messages a learner may hear."""

from django.core.exceptions import ValidationError as DjangoValidationError

from conversations.exceptions import SessionNotFound
from conversations.models import Message, PracticeSession
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


def practice_session_get(*, user, session_id) -> PracticeSession:
    """One of the user's practice sessions; SessionNotFound otherwise."""
    try:
        session = PracticeSession.objects.filter(id=session_id, user=user).first()
    except (ValueError, DjangoValidationError) as exc:
        raise SessionNotFound() from exc
    if session is None:
        raise SessionNotFound()
    return session
