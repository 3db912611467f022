"""Messages in any conversation: validation, gap-free seq under a row lock, idempotent create."""

import unicodedata

from django.utils import timezone

from config.compiled import CompiledInsert, CompiledUpdate
from conversations.exceptions import ConversationNotFound, InvalidContent
from conversations.models import Conversation, Message, MessageState

MAX_CONTENT_CHARS = 10_000
_ALLOWED_CONTROLS = {"\n", "\r", "\t"}


def content_clean(*, content) -> str:
    """The message text, stripped; raises InvalidContent when empty, too long or with control characters."""
    if not isinstance(content, str):
        raise InvalidContent("The message must be text.", fields={"content": ["Must be a string."]})
    content = content.strip()
    if not content:
        raise InvalidContent("The message is empty.", fields={"content": ["Must not be empty."]})
    if len(content) > MAX_CONTENT_CHARS:
        raise InvalidContent(
            f"The message is longer than {MAX_CONTENT_CHARS:,} characters.",
            fields={"content": [f"At most {MAX_CONTENT_CHARS} characters."]},
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in content):
        raise InvalidContent(
            "The message contains control characters.", fields={"content": ["Control characters are not allowed."]}
        )
    return content


def client_id_clean(*, client_id) -> str | None:
    """A client id is optional, a short string when given."""
    if client_id in (None, ""):
        return None
    if not isinstance(client_id, str) or len(client_id) > 100:
        raise InvalidContent(
            "client_id must be a string of at most 100 characters.", fields={"client_id": ["Invalid."]}
        )
    return client_id


def conversation_lock(*, conversation_id) -> Conversation:
    """Lock the conversation row; every seq is handed out under this lock. Call inside a transaction."""
    try:
        return Conversation.objects.select_for_update().get(id=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise ConversationNotFound() from exc


def message_append(
    *,
    conversation: Conversation,
    sender,
    role: str,
    content: str,
    client_id: str | None = None,
    state: str = MessageState.COMPLETE,
    meta: dict | None = None,
) -> Message:
    """Add a message with the next seq. The caller holds the conversation lock (conversation_lock)."""
    (message,) = messages_append(
        conversation=conversation,
        messages=[
            {"sender": sender, "role": role, "content": content, "client_id": client_id, "state": state, "meta": meta}
        ],
    )
    return message


def messages_append(*, conversation: Conversation, messages: list[dict]) -> list[Message]:
    """Add messages (dicts of message_append's fields) with the next seqs, in one INSERT and one UPDATE.

    The caller holds the conversation lock (conversation_lock).
    """
    now = timezone.now()
    rows = [
        Message(
            conversation=conversation,
            sender=fields.get("sender"),
            role=fields["role"],
            content=fields.get("content", ""),
            seq=conversation.next_seq + offset,
            client_id=fields.get("client_id"),
            state=fields.get("state", MessageState.COMPLETE),
            meta=fields.get("meta") or {},
            created_at=now,
        )
        for offset, fields in enumerate(messages)
    ]
    _MESSAGES_STORED.insert(rows)
    conversation.next_seq += len(rows)
    conversation.last_message_at = now
    _CONVERSATION_MOVED.run(conversation.id, conversation.next_seq, now)
    return rows


# A practice turn's and a direct message's INSERT and UPDATE, compiled once (config.compiled).
_MESSAGES_STORED = CompiledInsert(Message)
_CONVERSATION_MOVED = CompiledUpdate(
    lambda conversation_id, next_seq, at: (
        Conversation.objects.filter(id=conversation_id),
        {"next_seq": next_seq, "last_message_at": at},
    ),
    fields=[Conversation._meta.pk, *(Conversation._meta.get_field(name) for name in ("next_seq", "last_message_at"))],
)


def message_find_by_client_id(*, sender, client_id: str | None) -> Message | None:
    """The message this sender already stored under this client id, if any."""
    if client_id is None or sender is None:
        return None
    return Message.objects.filter(sender=sender, client_id=client_id).order_by().first()
