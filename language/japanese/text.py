"""Turn learner text into tagged tokens whose spans point back into the text the learner typed."""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .lexicon import KANA_TO_KANJI, PARTICLE_CHARS

if TYPE_CHECKING:
    import fugashi

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u309f]")
_WORD_FOLLOWERS = PARTICLE_CHARS | set("かなだじさく")


def _by_first_char(words) -> dict[str, list[str]]:
    """The words by first character, longest first: a position is checked against those that can start there."""
    index: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        index.setdefault(word[0], []).append(word)
    return index


_KANA_WORDS = _by_first_char(KANA_TO_KANJI)


# One MeCab tagger parses one sentence at a time: Channels and the dictionary call in from a thread pool.
_TAGGING = threading.Lock()


@lru_cache(maxsize=1)
def tagger() -> "fugashi.Tagger":
    """The unidic-lite tagger, built once: loading the dictionary costs far more than a sentence.

    fugashi is imported here too: MeCab and the C++ runtime under it are about 3 MiB of a process
    that has not tagged a sentence yet.
    """
    import fugashi

    return fugashi.Tagger()


@dataclass(frozen=True)
class Token:
    surface: str  # as tagged, after normalisation (may be kanji the learner wrote in kana)
    start: int  # span in the learner's sentence
    end: int
    pos1: str
    pos2: str
    pos3: str
    ctype: str
    cform: str
    lemma: str
    base: str  # dictionary form in the learner's spelling (いっ → いく)
    kana: str = ""  # the surface's reading in katakana, as written (コンニチハ, センセイ)
    pron: str = ""  # the same as spoken (コンニチワ, センセー)

    def is_particle(self, *surfaces: str) -> bool:
        return self.pos1 == "助詞" and (not surfaces or self.surface in surfaces)

    def is_aux(self, *lemmas: str) -> bool:
        return self.pos1 == "助動詞" and (not lemmas or self.lemma in lemmas)

    @property
    def is_noun(self) -> bool:
        return self.pos1 in ("名詞", "代名詞")

    @property
    def is_verb(self) -> bool:
        return self.pos1 == "動詞"


@dataclass(frozen=True)
class Sentence:
    text: str  # the learner's sentence, stripped of surrounding whitespace
    norm: str  # what was tagged
    spans: tuple[tuple[int, int], ...]  # for each char of norm, its span in text
    tokens: tuple[Token, ...]

    def norm_to_text(self, start: int, end: int) -> tuple[int, int]:
        return self.spans[start][0], self.spans[end - 1][1]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if _JAPANESE.search(s)]


def _word_start(norm: list[str], substituted_end: int) -> bool:
    """A kana word may start after a space, at the start, or after a swapped word (and one particle)."""
    if not norm or norm[-1] == " ":
        return True
    here = len(norm)
    return here == substituted_end or (here == substituted_end + 1 and norm[-1] in PARTICLE_CHARS)


def _word_end(text: str, end: int) -> bool:
    """A swapped word must end where a particle, the copula or punctuation follows: まちます is 待ちます."""
    return end == len(text) or text[end] in _WORD_FOLLOWERS or not _KANA.match(text[end])


def _normalise(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    norm: list[str] = []
    spans: list[tuple[int, int]] = []
    substituted_end = -1
    i = 0
    while i < len(text):
        # Control characters and lone surrogates cannot reach MeCab (NUL ends its C string, surrogates do not
        # encode to UTF-8): they separate words like a space.
        if text[i].isspace() or unicodedata.category(text[i]) in ("Cc", "Cs"):
            if norm and norm[-1] != " ":
                norm.append(" ")
                spans.append((i, i + 1))
            i += 1
            continue
        if _word_start(norm, substituted_end):
            candidates = _KANA_WORDS.get(text[i], ())
            word = next((w for w in candidates if text.startswith(w, i) and _word_end(text, i + len(w))), None)
            if word:
                for char in KANA_TO_KANJI[word]:
                    norm.append(char)
                    spans.append((i, i + len(word)))
                substituted_end = len(norm)
                i += len(word)
                continue
        for char in unicodedata.normalize("NFKC", text[i]):
            norm.append(char)
            spans.append((i, i + 1))
        i += 1
    return "".join(norm).rstrip(), tuple(spans)


def tag(text: str) -> Sentence:
    norm, spans = _normalise(text)
    tokens = []
    cursor = 0
    with _TAGGING:
        words = [(word.surface, word.feature) for word in tagger()(norm)]
    for surface, f in words:
        start = norm.find(surface, cursor)
        if start < 0 or not surface:
            continue
        cursor = start + len(surface)
        tokens.append(
            Token(
                surface=surface,
                start=spans[start][0],
                end=spans[cursor - 1][1],
                pos1=f.pos1 or "",
                pos2=f.pos2 or "",
                pos3=f.pos3 or "",
                ctype=f.cType or "",
                cform=f.cForm or "",
                lemma=(f.lemma or surface).split("-")[0],  # unidic adds glosses: 私-代名詞, ケーキ-cake
                base=f.orthBase or surface,
                kana=f.kana if f.kana and f.kana != "*" else "",
                pron=f.pron if f.pron and f.pron != "*" else "",
            )
        )
    return Sentence(text=text, norm=norm, spans=spans, tokens=tuple(tokens))


# unidic tags some misspelt godan forms (まちて) as classical 四段 verbs; they conjugate alike.
GODAN = ("五段", "文語四段")
_I_ROW = dict(zip("うくぐすつぬぶむる", "いきぎしちにびみり", strict=True))
_TE = {
    "う": "って",
    "つ": "って",
    "る": "って",
    "く": "いて",
    "ぐ": "いで",
    "す": "して",
    "ぬ": "んで",
    "ぶ": "んで",
    "む": "んで",
}


def masu_stem(surface: str, ctype: str) -> str:
    """The stem before ます of a dictionary-form verb (たべる → たべ, のむ → のみ, する → し, くる → き)."""
    if ctype.startswith("サ行変格"):
        return surface[:-2] + "し"
    if ctype.startswith("カ行変格"):
        return surface[:-2] + ("来" if surface.endswith("来る") else "き")
    if ctype.startswith(GODAN):
        return surface[:-1] + _I_ROW.get(surface[-1], surface[-1])
    return surface[:-1]


def te_form(surface: str, ctype: str, past: bool = False) -> str:
    """て (or た) form of a dictionary-form verb, with 行く's irregular いって."""
    if ctype.startswith(GODAN):
        if ctype.endswith("カ行") and surface[-2:] in ("いく", "行く", "ゆく"):
            ending = "って"
        else:
            ending = _TE.get(surface[-1], "って")
        stem = surface[:-1]
    else:
        ending, stem = "て", masu_stem(surface, ctype)
    if past:
        ending = ending[:-1] + ("だ" if ending.endswith("で") else "た")
    return stem + ending


def adjective_past(surface: str) -> str:
    """たかい → たかかった, いい → よかった."""
    if surface in ("いい", "良い"):
        return "よかった" if surface == "いい" else "良かった"
    if surface.endswith("いい") and len(surface) > 2:  # かっこいい → かっこよかった
        return surface[:-2] + "よかった"
    return surface[:-1] + "かった"


def adjective_negative(surface: str) -> str:
    """たかい → たかくない, いい → よくない."""
    if surface in ("いい", "良い"):
        return "よくない" if surface == "いい" else "良くない"
    if surface.endswith("いい") and len(surface) > 2:
        return surface[:-2] + "よくない"
    return surface[:-1] + "くない"
