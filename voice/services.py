"""Voice use-cases: a practice message as audio, a learner's recording as text."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from django.core.cache import cache

from ai import gateway
from ai.types import SpeechRequest, TranscriptionRequest
from conversations.exceptions import SessionClosed
from conversations.models import MessageState, SessionStatus
from conversations.selectors import session_get
from language.japanese import speech
from voice import selectors
from voice.exceptions import MessageIncomplete, RecordingInvalid, SpeechUnavailable, TranscriptionUnavailable
from voice.recordings import RecordingError, recording_check

SPEEDS = (0.75, 1.0)
AUDIO_CACHE_SECONDS = 7 * 24 * 3600
# ISO 639-1 codes for the providers' speech and transcription models.
LANGUAGE_CODES = {
    "japanese": "ja",
    "spanish": "es",
    "english": "en",
    "french": "fr",
    "german": "de",
    "italian": "it",
    "portuguese": "pt",
    "korean": "ko",
    "chinese": "zh",
}


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
    return Capabilities(
        speech=language == "japanese" or gateway.voice_offered("speaks"),
        transcription=gateway.voice_offered("transcribes"),
    )


def _audio_key(message_id, speed: float) -> str:
    return f"voice:audio:{message_id}:{speed}"


def _kept(key: str, content_type: str, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Pass the chunks on as they come; once all have gone, keep the whole file for the next listener."""
    parts = []
    for chunk in chunks:
        parts.append(chunk)
        yield chunk
    cache.set(key, (content_type, b"".join(parts)), AUDIO_CACHE_SECONDS)


def message_audio(*, user, message_id, speed: float) -> Audio:
    """A practice message spoken at `speed`, from the cache when it was heard before.

    Japanese is spoken on this server; other languages by the provider, when one speaks. Raises
    MessageNotFound (404) for a message that is not the user's, MessageIncomplete while it streams,
    SpeechUnavailable for a language with no voice and AIUnavailable when the provider fails.
    """
    message = selectors.practice_message_get(user=user, message_id=message_id)
    if message.state != MessageState.COMPLETE:
        raise MessageIncomplete()
    key = _audio_key(message.id, speed)
    if (hit := cache.get(key)) is not None:
        content_type, data = hit
        return Audio(content_type=content_type, chunks=[data])
    language = message.conversation.practice_session.language
    if language == "japanese":
        chunks = speech.japanese_ogg(message.content, speed=speed)
        return Audio(content_type=speech.CONTENT_TYPE, chunks=_kept(key, speech.CONTENT_TYPE, chunks))
    if not gateway.voice_offered("speaks"):
        raise SpeechUnavailable()
    request = SpeechRequest(
        text=" ".join(speech.sentences(message.content)), language=LANGUAGE_CODES.get(language, ""), speed=speed
    )
    spoken = async_to_sync(gateway.speak)(user=user, conversation=message.conversation, request=request)
    return Audio(content_type=spoken.content_type, chunks=_kept(key, spoken.content_type, [spoken.audio]))


def session_transcribe(*, user, session_id, audio: bytes) -> str:
    """The words heard in a learner's recording for their turn in a session; nothing is stored.

    Raises SessionNotFound (404), SessionClosed (409), RecordingInvalid (400) for audio out of the
    limits, TranscriptionUnavailable (503) with no provider that transcribes and AIUnavailable.
    """
    session = session_get(user=user, session_id=session_id)
    if session.status != SessionStatus.IN_PROGRESS:
        raise SessionClosed()
    try:
        recording = recording_check(audio)
    except RecordingError as exc:
        raise RecordingInvalid(str(exc), fields={"audio": [str(exc)]}) from exc
    if not gateway.voice_offered("transcribes"):
        raise TranscriptionUnavailable()
    request = TranscriptionRequest(
        audio=recording.data,
        filename=f"turn.{recording.extension}",
        content_type=recording.content_type,
        language=LANGUAGE_CODES.get(session.language, ""),
    )
    return async_to_sync(gateway.transcribe)(user=user, conversation=session.conversation, request=request)
