"""The JSON shapes of messages and findings in socket events and REST answers, and the frames that carry
a stored message (one builder per frame type, docs/websocket.md)."""

from conversations.models import Message


def message_payload(message: Message) -> dict:
    return {
        "id": str(message.id),
        "conversation_id": str(message.conversation_id),
        "sender_id": str(message.sender_id) if message.sender_id else None,
        "role": message.role,
        "content": message.content,
        "seq": message.seq,
        "state": message.state,
        "client_id": message.client_id,
        "offline": bool(message.meta.get("offline")),
        "fallback": bool(message.meta.get("fallback")),
        "created_at": message.created_at.isoformat(),
    }


def mistake_payload(mistake) -> dict:
    return {
        "id": str(mistake.id),
        "message_id": str(mistake.message_id),
        "session_id": str(mistake.session_id),
        "type": mistake.type,
        "severity": mistake.severity,
        "original": mistake.original,
        "correction": mistake.correction,
        "explanation": mistake.explanation,
        "created_at": mistake.created_at.isoformat(),
    }


def vocabulary_payload(item) -> dict:
    return {
        "id": str(item.id),
        "phrase": item.phrase,
        "reading": item.reading,
        "translation": item.translation,
        "context_sentence": item.context_sentence,
        "source_message": str(item.source_message_id) if item.source_message_id else None,
        "source": item.source,
        "language": item.language,
        "mastery": item.mastery,
        "created_at": item.created_at.isoformat(),
    }


def _ids(ids: dict) -> dict:
    return {key: str(value) if value else None for key, value in ids.items()}


def ack_frame(message: Message, **ids) -> dict:
    """`ack`: the sender's message is stored, matched by its client_id; `ids` such as session_id."""
    return {
        "type": "ack",
        "client_id": message.client_id,
        "message_id": str(message.id),
        "seq": message.seq,
        "conversation_id": str(message.conversation_id),
        **_ids(ids),
    }


def message_frame(message: Message) -> dict:
    """`message`: a message as stored (new, failed or superseded)."""
    return {"type": "message", "message": message_payload(message)}


def ai_message_frame(message: Message, *, payload: dict | None = None, **ids) -> dict:
    """`ai.message`: the partner's or assistant's reply as stored; `payload` when the app shapes its own."""
    return {"type": "ai.message", **_ids(ids), "message": payload if payload is not None else message_payload(message)}


REPLY_UNAVAILABLE = "The AI partner is unavailable right now. Your message is saved; please retry later."


def reply_error_frame(
    session_id, message_id, *, code: str = "ai_unavailable", message: str = REPLY_UNAVAILABLE
) -> dict:
    """`error` for a turn whose reply failed or was lost: the turn is saved and can be resent."""
    return {
        "type": "error",
        "code": code,
        "message": message,
        **_ids({"session_id": session_id, "message_id": message_id}),
    }
