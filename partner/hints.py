"""Where a vocabulary hint occurs in a text: its phrase or its reading, with a slot (〜, ...) for the
words the speaker fills in.

A template's hints are written as a learner keeps them: 〜が好きです (reading 〜がすきです), I'm
from... The partner says them filled in and, at a beginner's level, in kana with spaces between
words: なにが すきですか. So a hint is found by its phrase or its reading, any text standing where
its slot is; Japanese ignores the spaces, other languages match whole words, ignoring case.
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


def hint_position(*, phrase: str, reading: str, text: str, language: str) -> int | None:
    """Where the hint (`phrase`, or its `reading`) first occurs in `text`, as an index into `text`
    with its spaces and case made uniform; None when it does not occur."""
    language = language.lower()
    text = _normal(text, language)
    found = []
    # A hint may give alternatives: "Je viens de... / du...".
    forms = [alternative for form in (phrase, reading) for alternative in form.split(" / ")]
    for form in dict.fromkeys(form for form in forms if form.strip()):
        pattern = _pattern(form, language)
        if pattern is not None and (match := pattern.search(text)):
            found.append(match.start())
    return min(found, default=None)
