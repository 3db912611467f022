"""Japanese speech offline (pyopenjtalk-plus), encoded to Ogg Opus as it is made. Imports no Django.

The voice and its dictionary live inside the wheel, so nothing is downloaded at run time. Open JTalk
keeps one engine per process; it is not safe to drive from two threads at once, hence the lock.
"""

import contextlib
import io
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

# numpy and soundfile (with libsndfile) are imported where a sentence is spoken: together about
# 11 MiB, in every process, that one which never speaks should not carry.
if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 48_000
CONTENT_TYPE = "audio/ogg"
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
# Markdown emphasis, headings and list bullets are read out as noise by the synthesiser.
_UNSPOKEN = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+|[*_#`>]", re.MULTILINE)
_SMALL_KANA = set("ャュョァィゥェォヮゃゅょぁぃぅぇぉゎ")

_engine_lock = threading.Lock()


@lru_cache(maxsize=1)
def _openjtalk():
    # Imported on first use: loading the dictionary costs a quarter of a second. The import prints a
    # notice about an optional predictor (何 readings) that needs ONNX Runtime; it is not used here.
    with contextlib.redirect_stdout(io.StringIO()):
        import pyopenjtalk

    return pyopenjtalk


def sentences(text: str) -> list[str]:
    """The text in sentences worth speaking (markup dropped, empty pieces skipped)."""
    spoken = _UNSPOKEN.sub("", text)
    return [s.strip() for s in _SENTENCE.findall(spoken) if s.strip(" 　、。！？!?")]


def _synthesise(sentence: str, speed: float) -> "np.ndarray":
    import numpy as np

    with _engine_lock:
        samples, rate = _openjtalk().tts(sentence, speed=speed, predict_nani=False)
    if rate != SAMPLE_RATE:
        raise RuntimeError(f"unexpected sample rate {rate}")
    # Open JTalk answers 16-bit amplitudes as float64; soundfile wants -1..1.
    return np.clip(samples / 32768.0, -1.0, 1.0).astype(np.float32)


class _Growing(io.RawIOBase):
    """A write-only file that hands over what was written since the last call: Ogg pages as they come."""

    def __init__(self) -> None:
        self._pending = bytearray()
        self._written = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._written

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # libsndfile asks for the length (seek to the end, then back); the Ogg writer never rewinds.
        target = {io.SEEK_SET: offset, io.SEEK_CUR: self._written + offset, io.SEEK_END: self._written + offset}[whence]
        if target != self._written:
            raise io.UnsupportedOperation("the stream only grows")
        return target

    def write(self, data) -> int:
        self._pending += data
        self._written += len(data)
        return len(data)

    def take(self) -> bytes:
        data, self._pending = bytes(self._pending), bytearray()
        return data


def japanese_ogg(text: str, *, speed: float = 1.0) -> Iterator[bytes]:
    """Ogg Opus for the text, yielded sentence by sentence so the first bytes leave early."""
    import soundfile

    out = _Growing()
    with soundfile.SoundFile(out, mode="w", samplerate=SAMPLE_RATE, channels=1, format="OGG", subtype="OPUS") as f:
        for sentence in sentences(text):
            f.write(_synthesise(sentence, speed))
            f.flush()
            if chunk := out.take():
                yield chunk
    if tail := out.take():
        yield tail


@dataclass(frozen=True)
class Mora:
    kana: str
    high: bool


def _morae(katakana: str) -> list[str]:
    morae: list[str] = []
    for char in katakana:
        if char in _SMALL_KANA and morae:
            morae[-1] += char
        else:
            morae.append(char)
    return morae


def _is_high(position: int, nucleus: int) -> bool:
    """Tokyo pitch of the mora at 1-based `position` in a phrase whose accent nucleus is `nucleus`.

    0 is flat (low, then high to the end); 1 falls after the first mora; n rises after the first
    mora and falls after the n-th.
    """
    if nucleus == 1:
        return position == 1
    return position > 1 and (nucleus == 0 or position <= nucleus)


def _accent_phrases(word: str) -> list[tuple[int, list[str]]]:
    """Open JTalk's accent phrases for `word` (食べ + ます is one), each with its nucleus and morae."""
    with _engine_lock:
        nodes = _openjtalk().run_frontend(word)
    phrases: list[tuple[int, list[str]]] = []
    for node in nodes:
        morae = _morae(node["pron"].replace("’", ""))
        if not morae or node["pos"] == "記号":
            continue
        if node["chain_flag"] == 1 and phrases:
            phrases[-1][1].extend(morae)
        else:
            phrases.append((node["acc"], morae))
    return phrases


def _pattern(phrases: list[tuple[int, list[str]]]) -> list[Mora]:
    return [
        Mora(kana=kana, high=_is_high(position, nucleus))
        for nucleus, morae in phrases
        for position, kana in enumerate(morae, start=1)
    ]


def pitch_accent(word: str) -> list[Mora]:
    """The Tokyo pitch pattern of a word, mora by mora (箸 ハシ is high-low, 橋 low-high)."""
    return _pattern(_accent_phrases(word))


@dataclass(frozen=True)
class Accent:
    """A word's pitch in dictionary notation: the nucleus (0 flat, n falls after the n-th mora) and its morae."""

    nucleus: int
    morae: list[Mora]

    @property
    def next_high(self) -> bool:
        """Whether a particle after the word stays high: only after a flat word (橋が falls, 端が does not)."""
        return self.nucleus == 0


def word_accent(word: str, reading: str) -> Accent | None:
    """The accent of a dictionary word, drawn over its own `reading` (とうきょう, not Open JTalk's トーキョー).

    None when Open JTalk splits the word into several phrases or reads it with another number of
    morae (another word with the same spelling).
    """
    phrases = _accent_phrases(word)
    written = _morae(reading)
    if len(phrases) != 1 or len(phrases[0][1]) != len(written):
        return None
    heard = _pattern(phrases)
    return Accent(
        nucleus=phrases[0][0],
        morae=[Mora(kana=kana, high=mora.high) for kana, mora in zip(written, heard, strict=True)],
    )
