"""The JSON shapes of messages and findings in socket events and REST answers."""

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
