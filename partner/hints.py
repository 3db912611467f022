"""Where a vocabulary hint occurs in a text: its phrase or its reading, with a slot (〜, ...) for the
words the speaker fills in.

A template's hints are written as a learner keeps them: 〜が好きです (reading 〜がすきです), I'm
from... The partner says them filled in and, at a beginner's level, in kana with spaces between
words: なにが すきですか. So a hint is found by its phrase or its reading, any text standing where
its slot is; Japanese ignores the spaces, other languages match whole words, ignoring case. In a
spaced line a hint in kana starts where a word does: えき is not in なまえ きいても.
"""

import re
import unicodedata
from functools import lru_cache

# After NFKC (which makes ～ a tilde and … three dots), the marks for a slot.
_SLOT = re.compile(r"[〜~]|\.\.\.")
_EDGE_PUNCTUATION = "。、，,.!?「」\"' "
# A slotted hint whose fixed words are shorter than this (〜です, ~ is) is in nearly every line.
_MIN_FIXED = 3
_SPACE = re.compile(r"\s+")
_KANA = re.compile(r"[\u3041-\u30ff]+")


def _normal(text: str, language: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return _SPACE.sub("", text) if language == "japanese" else text.casefold()


@lru_cache(maxsize=1024)
def _pattern(form: str, language: str) -> re.Pattern | None:
    """The pattern of one written form of a hint, None when it is too bare to look for."""
    form = _normal(form, language)
    parts = [part.strip(_EDGE_PUNCTUATION) for part in _SLOT.split(form)]
    parts = [part for part in parts if part]
    if not parts or (_SLOT.search(form) and sum(len(part) for part in parts) < _MIN_FIXED):
        return None
    # A slot between words stays inside one sentence.
    body = r"[^。！？.!?]+?".join(re.escape(part) for part in parts)
    return re.compile(body if language == "japanese" else rf"(?<!\w){body}(?!\w)")


def _word_starts(text: str) -> frozenset[int] | None:
    """Where the words of a spaced Japanese line start, as indexes into the line without its spaces;
    None when the line has no spaces (then words cannot be told apart this way)."""
    words = _SPACE.split(unicodedata.normalize("NFKC", text).strip())
    if len(words) < 2:
        return None
    starts, at = set(), 0
    for word in words:
        starts.add(at)
        # A word may hold several, after punctuation: ...ね。また
        starts.update(at + n + 1 for n, char in enumerate(word) if char in _EDGE_PUNCTUATION)
        at += len(word)
    return frozenset(starts)


@lru_cache(maxsize=16)
def _searched(text: str, language: str) -> tuple[str, frozenset[int] | None]:
    """The text as hints are looked for in it, and its word starts (_word_starts): worked out once
    for the many hints looked for in one line."""
    return _normal(text, language), _word_starts(text) if language == "japanese" else None


def hint_position(*, phrase: str, reading: str, text: str, language: str) -> int | None:
    """Where the hint (`phrase`, or its `reading`) first occurs in `text`, as an index into `text`
    with its spaces and case made uniform; None when it does not occur."""
    language = language.lower()
    text, starts = _searched(text, language)
    found = []
    # A hint may give alternatives: "Je viens de... / du...".
    forms = [alternative for form in (phrase, reading) for alternative in form.split(" / ")]
    for form in dict.fromkeys(form for form in forms if form.strip()):
        pattern = _pattern(form, language)
        if pattern is None:
            continue
        # A kana form that begins with its own words (not a slot) begins a word of a spaced line.
        word_start = starts is not None and _KANA.fullmatch(form.strip(_EDGE_PUNCTUATION)) is not None
        for match in pattern.finditer(text):
            if not word_start or match.start() in starts:
                found.append(match.start())
                break
    return min(found, default=None)
