"""Voice use-cases: a practice message as audio."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache

from conversations.models import MessageState
from voice import selectors, speech
from voice.exceptions import MessageIncomplete, SpeechUnavailable

SPEEDS = (0.75, 1.0)
AUDIO_CACHE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Audio:
    content_type: str
    chunks: Iterable[bytes]


@dataclass(frozen=True)
class Capabilities:
    speech: bool  # the server speaks this language
    transcription: bool  # the server turns a recording into text


def voice_capabilities(*, language: str) -> Capabilities:
    """What the server can do with voice in `language`; the browser's own speech covers the rest."""
    return Capabilities(speech=language == "japanese", transcription=False)


def _audio_key(message_id, speed: float) -> str:
    return f"voice:audio:{message_id}:{speed}"


def _kept(key: str, content_type: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Pass the chunks on as they come; once all have gone, keep the whole file for the next listener."""
    parts = []
    for chunk in chunks:
        parts.append(chunk)
        yield chunk
    cache.set(key, (content_type, b"".join(parts)), AUDIO_CACHE_SECONDS)


def message_audio(*, user, message_id, speed: float) -> Audio:
    """A practice message spoken at `speed`, from the cache when it was heard before.

    Japanese is spoken on this server; other languages have no offline voice. Raises MessageNotFound
    (404) for a message that is not the user's, MessageIncomplete while it streams and
    SpeechUnavailable for a language with no voice.
    """
    message = selectors.practice_message_get(user=user, message_id=message_id)
    if message.state != MessageState.COMPLETE:
        raise MessageIncomplete()
    key = _audio_key(message.id, speed)
    if (hit := cache.get(key)) is not None:
        content_type, data = hit
        return Audio(content_type=content_type, chunks=[data])
    if message.conversation.practice_session.language != "japanese":
        raise SpeechUnavailable()
    chunks = speech.japanese_ogg(message.content, speed=speed)
    return Audio(content_type=speech.CONTENT_TYPE, chunks=_kept(key, speech.CONTENT_TYPE, chunks))
