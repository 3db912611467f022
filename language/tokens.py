"""Learner turns as tokens a scenario script can recognise: each token knows its spellings and lemmas.

Japanese goes through fugashi (the same tagger as the checker); Spanish, English and the other
Latin-script languages through a plain word tokenizer with light lemmatising (plurals, a few
common verb forms), enough to recognise "me llamo Ana" or "I'd like a coffee" without raw
substring matching.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# What a token is, as far as a recogniser cares: a word, a grammatical word or punctuation.
CONTENT = "content"
FUNCTION = "function"
PUNCT = "punct"

_KATAKANA = re.compile(r"[\u30a1-\u30f6]")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[?¿!¡.,;:]", re.UNICODE)
_SENTENCE_END = frozenset("。！？.!?")
_FUNCTION_POS = frozenset({"助詞", "助動詞", "接尾辞", "補助記号", "記号", "空白"})

# Contractions split into the words a pattern is written with ("I'm" -> "i am").
_CONTRACTIONS = {
    "english": {
        "i'm": ("i", "am"),
        "you're": ("you", "are"),
        "it's": ("it", "is"),
        "that's": ("that", "is"),
        "what's": ("what", "is"),
        "where's": ("where", "is"),
        "how's": ("how", "is"),
        "i'd": ("i", "would"),
        "i'll": ("i", "will"),
        "i've": ("i", "have"),
        "don't": ("do", "not"),
        "doesn't": ("does", "not"),
        "can't": ("can", "not"),
        "let's": ("let", "us"),
    },
    "spanish": {"al": ("a", "el"), "del": ("de", "el")},
}

# Irregular forms a learner writes early on, mapped to their lemma.
_IRREGULAR = {
    "english": {
        "am": "be",
        "is": "be",
        "are": "be",
        "was": "be",
        "were": "be",
        "been": "be",
        "has": "have",
        "had": "have",
        "does": "do",
        "did": "do",
        "went": "go",
        "goes": "go",
        "ate": "eat",
        "saw": "see",
        "came": "come",
        "made": "make",
        "took": "take",
        "got": "get",
        "liked": "like",
        "loves": "love",
        "would": "will",
        "children": "child",
        "people": "person",
    },
    "spanish": {
        "soy": "ser",
        "eres": "ser",
        "es": "ser",
        "somos": "ser",
        "son": "ser",
        "fui": "ir",
        "estoy": "estar",
        "estás": "estar",
        "está": "estar",
        "estamos": "estar",
        "están": "estar",
        "voy": "ir",
        "vas": "ir",
        "va": "ir",
        "vamos": "ir",
        "van": "ir",
        "tengo": "tener",
        "tienes": "tener",
        "tiene": "tener",
        "quiero": "querer",
        "quieres": "querer",
        "quiere": "querer",
        "puedo": "poder",
        "puedes": "poder",
        "puede": "poder",
        "prefiero": "preferir",
        "llamo": "llamar",
        "llamas": "llamar",
        "llama": "llamar",
        "gusta": "gustar",
        "gustan": "gustar",
        "encanta": "encantar",
        "encantan": "encantar",
        "vivo": "vivir",
        "vives": "vivir",
        "vive": "vivir",
        "hago": "hacer",
        "haces": "hacer",
        "hace": "hacer",
        "sé": "saber",
        "conozco": "conocer",
    },
}

_STOPWORDS_TEXT = {
    "english": (
        "a an the and or but so to of in on at for from with by my your his her our their me you him us them "
        "i he she it we they this that these those is am are be was were do does did not no yes very really "
        "just too also please would will can could some any"
    ),
    "spanish": (
        "a al de del el la los las un una unos unas y o pero que en con por para mi mis tu tus su sus me te se "
        "le lo nos yo tú él ella es soy eres son muy también no sí por favor"
    ),
}
_STOPWORDS = {language: frozenset(words.split()) for language, words in _STOPWORDS_TEXT.items()}


@dataclass(frozen=True)
class Token:
    """One word of a learner's turn."""

    surface: str  # as the learner wrote it
    keys: frozenset[str]  # every spelling it may be matched by: surface, lemma, kana reading (lowercase)
    kind: str  # CONTENT, FUNCTION or PUNCT
    proper: bool = False  # a name of a person or a place, by the tagger's or the capital letter's word
    nominal: bool = True  # may be captured into a slot: a noun (or its prefix, お茶), never 好き or 私


@dataclass(frozen=True)
class Tokens:
    """A tokenised turn: the words, and how to glue words back into text in this language."""

    text: str
    items: tuple[Token, ...]
    joiner: str  # "" for Japanese, " " otherwise

    @property
    def is_question(self) -> bool:
        stripped = self.text.strip()
        if stripped.endswith(("?", "？")) or stripped.startswith("¿"):
            return True
        return bool(self.items) and self.joiner == "" and self._ends_with_ka()

    def _ends_with_ka(self) -> bool:
        words = [token for token in self.items if token.kind != PUNCT]
        return bool(words) and words[-1].surface in ("か", "の") and words[-1].kind == FUNCTION

    def join(self, tokens: tuple[Token, ...] | list[Token]) -> str:
        return self.joiner.join(token.surface for token in tokens)

    @property
    def sentences(self) -> tuple["Tokens", ...]:
        """The turn cut into sentences at 。！？.!? (and before ¿ ¡), each a Tokens of its own."""
        chunks: list[list[Token]] = [[]]
        for token in self.items:
            if token.kind == PUNCT and token.surface in "¿¡" and chunks[-1]:
                chunks.append([])
            chunks[-1].append(token)
            if token.kind == PUNCT and token.surface in _SENTENCE_END:
                chunks.append([])
        return tuple(
            Tokens(text=self.join(chunk), items=tuple(chunk), joiner=self.joiner)
            for chunk in chunks
            if any(token.kind != PUNCT for token in chunk)
        )


def hiragana(text: str) -> str:
    """Katakana folded to hiragana and the text lowercased, so reading and spelling compare alike."""
    return _KATAKANA.sub(lambda match: chr(ord(match.group()) - 0x60), text).lower()


def _lemma_ja(raw: str | None) -> str:
    # unidic lemmas carry a gloss after a hyphen: アレックス-外国, カナダ-Canada.
    return (raw or "").split("-", 1)[0]


_HONORIFICS = frozenset({"さん", "様", "ちゃん", "君", "氏", "殿"})


def _word_suffix(feature) -> bool:
    # 寺 in 金閣寺, 生 in 大学生, 員 in 会社員 belong to the word a slot captures; さん after a name does not.
    return feature.pos1 == "接尾辞" and _lemma_ja(feature.lemma) not in _HONORIFICS


def _japanese(text: str) -> tuple[Token, ...]:
    from language.japanese.text import tagger

    tokens = []
    for word in tagger()(unicodedata.normalize("NFKC", text)):
        feature = word.feature
        spellings = {word.surface, _lemma_ja(feature.lemma), feature.orthBase or "", feature.kana or ""}
        spellings.add(feature.kanaBase or "")
        keys = frozenset(hiragana(s) for s in spellings if s) | frozenset(s for s in spellings if s)
        # A katakana name the dictionary files as a symbol (ケン is a unit of length) is still a word.
        symbol = feature.pos1 in ("補助記号", "空白", "記号") and not word.surface.isalpha()
        if symbol:
            kind = PUNCT
        elif feature.pos1 in _FUNCTION_POS and feature.pos1 != "記号" and not _word_suffix(feature):
            kind = FUNCTION
        else:
            kind = CONTENT
        proper = feature.pos2 == "固有名詞" or (feature.lemma is None and word.surface.isalpha())
        nominal = feature.pos1 in ("名詞", "接頭辞", "記号") or _word_suffix(feature)
        tokens.append(Token(surface=word.surface, keys=keys, kind=kind, proper=proper, nominal=nominal))
    return tuple(tokens)


def _lemmas(word: str, language: str) -> set[str]:
    found = {word}
    if irregular := _IRREGULAR.get(language, {}).get(word):
        found.add(irregular)
    if language == "english":
        for suffix, replacement in (
            ("ies", "y"),
            ("es", ""),
            ("s", ""),
            ("ing", ""),
            ("ing", "e"),
            ("ed", ""),
            ("ed", "e"),
        ):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                found.add(word[: -len(suffix)] + replacement)
    elif language == "spanish":
        for suffix in ("es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                found.add(word[: -len(suffix)])
    return found


def _latin(text: str, language: str) -> tuple[Token, ...]:
    contractions = _CONTRACTIONS.get(language, {})
    stopwords = _STOPWORDS.get(language, frozenset())
    tokens = []
    for match in _WORD.finditer(unicodedata.normalize("NFC", text)):
        surface = match.group().replace("’", "'")
        lower = surface.lower()
        if not lower[0].isalnum():
            tokens.append(Token(surface=surface, keys=frozenset({lower}), kind=PUNCT))
            continue
        parts = contractions.get(lower)
        if parts is None:
            parts = (lower.split("'", 1)[0],) if lower.endswith(("'s", "'re")) else (lower,)
        for index, part in enumerate(parts):
            shown = surface if len(parts) == 1 else part
            keys = frozenset(_lemmas(part, language)) | {_unaccented(part)}
            kind = FUNCTION if part in stopwords else CONTENT
            tokens.append(Token(surface=shown, keys=keys, kind=kind, proper=index == 0 and surface[0].isupper()))
    return tuple(tokens)


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=512)
def tokenise(text: str, language: str) -> Tokens:
    """The turn's tokens for recognisers. Cached: a turn is tagged once however many patterns look at it."""
    if language == "japanese":
        return Tokens(text=text, items=_japanese(text), joiner="")
    return Tokens(text=text, items=_latin(text, language), joiner=" ")


_SLOT = re.compile(r"^\{([a-z][a-z_]*)\}$")
SKIP = "..."
SKIP_MAX = 6
SLOT_MAX = 3


@dataclass(frozen=True)
class Pattern:
    """A recogniser: words in order (each `a|b` alternatives), `{slot}` captures, `...` skips a few words."""

    source: str
    # Each part: alternatives (each a run of token spellings, 土曜日 is 土曜 + 日), a slot name, or SKIP.
    parts: tuple[tuple[tuple[frozenset[str], ...], ...] | str, ...]

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(part for part in self.parts if isinstance(part, str) and part != SKIP)

    def match(self, tokens: Tokens) -> dict[str, str] | None:
        """The slots captured by the first place in the turn the pattern fits, or None."""
        words = tuple(token for token in tokens.items if token.kind != PUNCT)
        for start in range(len(words)):
            if (found := self._at(words, 0, start, {}, tokens)) is not None:
                return found
        return None

    def _at(self, words, part_index, at, captured, tokens) -> dict[str, str] | None:
        if part_index == len(self.parts):
            return captured
        part = self.parts[part_index]
        if part == SKIP:
            for skip in range(min(SKIP_MAX, len(words) - at) + 1):
                if (found := self._at(words, part_index + 1, at + skip, captured, tokens)) is not None:
                    return found
            return None
        if isinstance(part, str):
            # "quiero un café": the article before a captured word is not part of it.
            while tokens.joiner and at < len(words) - 1 and words[at].kind == FUNCTION:
                at += 1
            for length in range(min(SLOT_MAX + 2, len(words) - at), 0, -1):
                span = words[at : at + length]
                if _slot_span(span):
                    value = tokens.join(span)
                    if found := self._at(words, part_index + 1, at + length, {**captured, part: value}, tokens):
                        return found
            return None
        for run in part:
            end = at + len(run)
            fits = end <= len(words) and all(keys & word.keys for keys, word in zip(run, words[at:end], strict=True))
            if fits and (found := self._at(words, part_index + 1, end, captured, tokens)) is not None:
                return found
        return None


# Words that join nouns into one thing ordered or liked: café con leche, zumo de naranja, reading and cooking.
_CONNECTORS = frozenset({"and", "de", "del", "con", "of", "with", "com", "da", "do", "di", "du", "mit"})


def _slot_span(span: tuple[Token, ...]) -> bool:
    """Words a slot may take: up to SLOT_MAX nouns, joined by connectors ("café con leche"), never ending on one."""
    noun = [token.kind == CONTENT and token.nominal for token in span]
    if sum(noun) > SLOT_MAX or not (noun[0] and noun[-1]):
        return False
    return all(
        noun[i] or (token.surface.lower() in _CONNECTORS and noun[i - 1] and noun[i + 1])
        for i, token in enumerate(span)
    )


class PatternInvalid(ValueError):
    """A pattern a script author wrote that cannot work; the message says why."""


@lru_cache(maxsize=4096)
def pattern_compile(source: str, language: str) -> Pattern:
    """Parse a script pattern. Raises PatternInvalid naming the problem (a word that is really two, say)."""
    parts: list[tuple[str, ...] | str] = []
    for chunk in source.split():
        if chunk == SKIP:
            parts.append(SKIP)
        elif slot := _SLOT.match(chunk):
            parts.append(slot.group(1))
        elif "{" in chunk or "}" in chunk:
            raise PatternInvalid(f"'{chunk}': a slot is a lowercase name in braces, alone: {{name}}")
        else:
            runs = []
            for word in chunk.split("|"):
                run = tuple(token.keys for token in tokenise(word, language).items if token.kind != PUNCT)
                if not run:
                    raise PatternInvalid(f"'{word}' is not a word")
                runs.append(run)
            parts.append(tuple(runs))
    if not parts or all(part == SKIP for part in parts):
        raise PatternInvalid("a pattern needs at least one word or slot")
    if parts[0] == SKIP or parts[-1] == SKIP:
        raise PatternInvalid("'...' goes between words, not at either end")
    return Pattern(source=source, parts=tuple(parts))
