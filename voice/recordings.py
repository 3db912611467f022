"""What a learner's recording must be before it is sent anywhere. Imports no Django."""

import io
from dataclasses import dataclass

MAX_BYTES = 2 * 1024 * 1024  # a minute of 16 kHz WAV; a browser's Opus minute is a tenth of it
MAX_SECONDS = 60.0

# The containers a browser's MediaRecorder or an app makes, known by their first bytes.
_SIGNATURES = (
    (b"\x1aE\xdf\xa3", "audio/webm", "webm"),
    (b"OggS", "audio/ogg", "ogg"),
    (b"RIFF", "audio/wav", "wav"),
    (b"fLaC", "audio/flac", "flac"),
    (b"ID3", "audio/mpeg", "mp3"),
    (b"\xff\xfb", "audio/mpeg", "mp3"),
    (b"\xff\xf3", "audio/mpeg", "mp3"),
)


class RecordingError(ValueError):
    """Why a recording was refused, in words for the learner."""


@dataclass(frozen=True)
class Recording:
    data: bytes
    content_type: str
    extension: str
    seconds: float | None  # None when the container does not say (WebM from a browser)


def _kind(data: bytes) -> tuple[str, str]:
    for magic, content_type, extension in _SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    if data[4:8] == b"ftyp":
        return "audio/mp4", "m4a"
    raise RecordingError("This is not an audio recording Parley can read (WebM, Ogg, WAV, FLAC, MP3 or M4A).")


def _seconds(data: bytes) -> float | None:
    # Imported here: soundfile loads numpy and libsndfile, which a process that never takes a
    # recording should not carry.
    import soundfile

    try:
        info = soundfile.info(io.BytesIO(data))
    except RuntimeError:  # libsndfile cannot read the container (WebM from a browser)
        return None
    return info.frames / info.samplerate if info.samplerate else None


def recording_check(data: bytes) -> Recording:
    """The recording, if it is audio within the limits; RecordingError otherwise."""
    if not data:
        raise RecordingError("The recording is empty.")
    if len(data) > MAX_BYTES:
        raise RecordingError(f"The recording is too large (at most {MAX_BYTES // (1024 * 1024)} MB).")
    content_type, extension = _kind(data)
    seconds = _seconds(data)
    if seconds is not None and seconds > MAX_SECONDS:
        raise RecordingError(f"The recording is too long (at most {MAX_SECONDS:.0f} seconds).")
    return Recording(data=data, content_type=content_type, extension=extension, seconds=seconds)
