"""Reads of sessions and transcripts."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet

from conversations.exceptions import ConversationNotFound
from conversations.models import Conversation, Membership, Message, PracticeSession, SessionStatus
from evaluations.models import Mistake


def session_list(*, user, status: str | None = None) -> QuerySet[PracticeSession]:
    """The user's sessions, newest first; archived ones only when asked for by status."""
    sessions = PracticeSession.objects.filter(user=user).select_related("template", "conversation")
    if status:
        return sessions.filter(status=status)
    return sessions.exclude(status=SessionStatus.ARCHIVED)


def transcript_get(*, session: PracticeSession) -> QuerySet[Message]:
    """The session's messages in order."""
    return Message.objects.filter(conversation_id=session.conversation_id).order_by("seq")


def mistake_list(*, user, session_id=None, type: str | None = None) -> QuerySet[Mistake]:  # noqa: A002
    """The user's mistakes, oldest first, narrowed by session and type."""
    mistakes = Mistake.objects.filter(session__user=user)
    if session_id:
        mistakes = mistakes.filter(session_id=session_id)
    if type:
        mistakes = mistakes.filter(type=type)
    return mistakes


def turn_number(*, message: Message) -> int:
    """The position of a learner's message among the learner's turns of its conversation (1-based)."""
    return Message.objects.filter(
        conversation_id=message.conversation_id, sender_id=message.sender_id, seq__lte=message.seq
    ).count()


def conversation_for_member(*, user, conversation_id=None, session_id=None) -> Conversation:
    """A conversation the user is an active member of, by its id or its practice session's id.

    Raises ConversationNotFound (404) for anything else, so other people's conversations do not exist.
    """
    memberships = Membership.objects.filter(user=user, left_at__isnull=True)
    try:
        if session_id:
            conversation = Conversation.objects.filter(
                practice_session__id=session_id, practice_session__user=user
            ).first()
        else:
            conversation = Conversation.objects.filter(id=conversation_id, memberships__in=memberships).first()
    except (ValueError, DjangoValidationError) as exc:
        raise ConversationNotFound() from exc
    if conversation is None:
        raise ConversationNotFound()
    return conversation


def messages_since(*, user, after_seq: int, limit: int, conversation_id=None, session_id=None) -> list[Message]:
    """A member's messages after `after_seq`, in order, at most `limit`."""
    conversation = conversation_for_member(user=user, conversation_id=conversation_id, session_id=session_id)
    return list(Message.objects.filter(conversation=conversation, seq__gt=after_seq).order_by("seq")[:limit])


def session_id_for(*, conversation_id):
    return PracticeSession.objects.filter(conversation_id=conversation_id).values_list("id", flat=True).first()
