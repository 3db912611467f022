"""'How do I say cat?': the English word a learner asks for, and its translation from the dictionary."""

import re
from collections.abc import Callable
from dataclasses import dataclass

_LANGUAGES = r"(?:japanese|spanish|english|french|german|italian|portuguese|chinese|korean)"
_QUOTES = "\"'‘’“”「」『』«»"
_ASKS = (
    re.compile(rf"\bhow (?:do|would|can|should|to) (?:i |you |we )?say (?P<q>.+?)(?: in {_LANGUAGES})?\W*$", re.I),
    re.compile(rf"\bwhat(?:'s|’s| is) (?:the word for )?(?P<q>.+?) in {_LANGUAGES}\W*$", re.I),
    re.compile(rf"\bwhat(?:'s|’s| is) the {_LANGUAGES} (?:word )?for (?P<q>.+?)\W*$", re.I),
    re.compile(r"^\W*(?P<q>[A-Za-z][A-Za-z '-]*?)\s*(?:は|って)\s*(?:日本語|にほんご)で\s*(?:何|なん)"),
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_ARTICLE = re.compile(r"^(?:a|an|the|to)\s+", re.I)


@dataclass(frozen=True)
class WordAnswer:
    word: str  # as written: kanji, or kana for words written in kana
    reading: str


def say_query(text: str, language: str) -> str | None:
    """The English word or phrase the learner asks how to say, or None when the turn is not such a question."""
    for pattern in _ASKS:
        if match := pattern.search(text.strip()):
            query = match.group("q").strip().strip(_QUOTES).strip()
            query = _ARTICLE.sub("", query).strip(_QUOTES + " ")
            if query and len(query) <= 40:
                return query
    return None


def word_answer(query: str, *, lookup: Callable) -> WordAnswer | None:
    """The dictionary's best entry for the English word, or None when it has none."""
    entries = lookup(query, limit=10)
    if not entries:
        return None
    wanted = {query.lower(), f"to {query.lower()}"}

    def meaning(gloss: str) -> str:
        while _PARENTHESES.search(gloss):
            gloss = _PARENTHESES.sub("", gloss)
        return " ".join(gloss.split()).lower()

    # Prefer the word whose main meaning it is ("cat (esp. the domestic cat)"), then one that has it
    # as another meaning, over one that only has it inside a gloss ("catfish").
    for entry in entries:
        if entry.glosses and meaning(entry.glosses[0]) in wanted:
            return WordAnswer(word=entry.word, reading=entry.reading)
    for entry in entries:
        if any(meaning(gloss) in wanted for gloss in entry.glosses):
            return WordAnswer(word=entry.word, reading=entry.reading)
    return WordAnswer(word=entries[0].word, reading=entries[0].reading)
