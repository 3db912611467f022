"""Reads of sessions, transcripts, and conversations between people."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from conversations.exceptions import ConversationNotFound, SessionNotFound
from conversations.models import (
    Conversation,
    ConversationKind,
    Membership,
    Message,
    MessageState,
    PracticeSession,
    SessionStatus,
)
from conversations.scenarios.sessions import session_hint_list, session_scenario_view


def session_get(*, user, session_id) -> PracticeSession:
    """The user's session; another user's (or an unknown) session raises SessionNotFound (404)."""
    try:
        return PracticeSession.objects.select_related("conversation", "template", "user").get(id=session_id, user=user)
    except (PracticeSession.DoesNotExist, ValueError, DjangoValidationError) as exc:
        raise SessionNotFound() from exc


def session_list(*, user, status: str | None = None) -> QuerySet[PracticeSession]:
    """The user's sessions, newest first; archived ones only when asked for by status."""
    sessions = PracticeSession.objects.filter(user=user).select_related("template", "conversation")
    if status:
        return sessions.filter(status=status)
    return sessions.exclude(status=SessionStatus.ARCHIVED)


def transcript_get(*, session: PracticeSession) -> QuerySet[Message]:
    """The session's messages in order, without those the learner replaced."""
    return (
        Message.objects.filter(conversation_id=session.conversation_id)
        .exclude(state=MessageState.SUPERSEDED)
        .order_by("seq")
    )


def turn_number(*, message: Message) -> int:
    """The position of a learner's message among the learner's turns of its conversation (1-based)."""
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id, sender_id=message.sender_id, seq__lte=message.seq
        )
        .exclude(state=MessageState.SUPERSEDED)
        .count()
    )


def conversation_for_member(*, user, conversation_id=None, session_id=None) -> Conversation:
    """A conversation the user is an active member of, by its id or its practice session's id.

    Raises ConversationNotFound (404) for anything else, so other people's conversations do not exist.
    """
    memberships = Membership.objects.active().filter(user=user)
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


def message_find(*, message_id) -> Message | None:
    # Unordered: Message's default order (by conversation) would join the conversation table.
    return Message.objects.filter(id=message_id).order_by().first()


def session_id_for(*, conversation_id):
    return PracticeSession.objects.filter(conversation_id=conversation_id).values_list("id", flat=True).first()


PEOPLE_KINDS = (ConversationKind.DIRECT, ConversationKind.GROUP)
HISTORY_LIMIT_MAX = 100


def people_conversation_list(*, user) -> QuerySet[Membership]:
    """The user's active DM and group memberships, latest conversation first, each with `unread_count`.

    Members come prefetched in `conversation.active_memberships`; the last message is added per
    page by last_messages_attach, so a page costs the same few queries whatever its size.
    """
    unread = (
        Message.objects.filter(conversation_id=OuterRef("conversation_id"), seq__gt=OuterRef("read_up_to_seq"))
        .exclude(sender_id=user.id)
        .order_by()
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Membership.objects.active()
        .filter(user=user, conversation__kind__in=PEOPLE_KINDS)
        .select_related("conversation")
        .prefetch_related(
            Prefetch(
                "conversation__memberships",
                queryset=Membership.objects.active().select_related("user"),
                to_attr="active_memberships",
            )
        )
        .annotate(unread_count=Coalesce(Subquery(unread), 0))
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation__created_at")
    )


def last_messages_attach(*, memberships) -> None:
    """Set `conversation.last_message` on each membership's conversation with one query."""
    conversations = [m.conversation for m in memberships]
    wanted = Q(pk__in=[])
    for conversation in conversations:
        wanted |= Q(conversation_id=conversation.id, seq=conversation.next_seq - 1)
    last = {m.conversation_id: m for m in Message.objects.filter(wanted)} if conversations else {}
    for conversation in conversations:
        conversation.last_message = last.get(conversation.id)


def people_conversation_get(*, user, conversation_id) -> Membership:
    """The user's active membership of a DM or group, shaped like people_conversation_list's rows."""
    try:
        membership = people_conversation_list(user=user).filter(conversation_id=conversation_id).first()
    except (ValueError, DjangoValidationError) as exc:
        raise ConversationNotFound() from exc
    if membership is None:
        raise ConversationNotFound()
    last_messages_attach(memberships=[membership])
    return membership


def message_history(
    *, user, conversation_id, before_seq: int | None = None, after_seq: int | None = None, limit: int = 50
) -> tuple[Conversation, list[Message]]:
    """A page of a DM or group's messages in chronological order: the first after `after_seq`, else the
    last before `before_seq`, else the latest; with both, only those between. Raises ConversationNotFound
    for non-members."""
    conversation = conversation_for_member(user=user, conversation_id=conversation_id)
    if conversation.kind not in PEOPLE_KINDS:
        raise ConversationNotFound()
    messages = Message.objects.filter(conversation=conversation)
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    if after_seq is not None:
        return conversation, list(messages.filter(seq__gt=after_seq).order_by("seq")[:limit])
    return conversation, list(reversed(messages.order_by("-seq")[:limit]))


def user_search(*, user, search: str = "") -> QuerySet:
    """Active people other than the caller whose username or display name starts with `search`, or
    whose email is `search` whole (a prefix of it would let anyone spell an address out)."""
    people = User.objects.filter(is_active=True).exclude(id=user.id)
    search = search.strip()
    if search:
        people = people.filter(
            Q(username__istartswith=search) | Q(display_name__istartswith=search) | Q(email__iexact=search)
        )
    return people.order_by("username")


def session_scenario(*, session: PracticeSession) -> dict:
    """{"goals": [{id, text, reached}], "finished"}: where the session is in its scenario script."""
    return session_scenario_view(session=session)


def session_goals(*, session: PracticeSession) -> list[dict]:
    """The session's scenario goals in the script's order, each {id, text, reached}; [] when it follows none."""
    return session_scenario_view(session=session)["goals"]


def session_hints(*, session: PracticeSession) -> list[dict]:
    """2 or 3 replies that fit where the session is in its scenario ("Help me reply"); [] after its end."""
    return session_hint_list(session=session)
