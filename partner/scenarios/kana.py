"""Kana words kept whole: a beginner writes 「きんかくじに いきたいです」 and the tagger cuts きん/か/くじ.

Before a Japanese turn is tokenised, each kana word (a space-delimited chunk, or its start, up to a
particle or です) is swapped for one token the tagger keeps whole: the script's own spelling when the
script knows the word by its reading (きんかくじ is 金閣寺, なんばん is 何番), or else a placeholder
noun. What a slot captures is then given back in the learner's spelling.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from language.tokens import CONTENT, FUNCTION, hiragana, tokenise

_KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]+")
_HAS_KANJI = re.compile(r"[\u4e00-\u9fff々]")
_HIRAGANA = re.compile(r"^[\u3041-\u3096ー]+$")
# What may follow a word: a case or topic particle, or the copula.
_ENDINGS = frozenset({"から", "まで", "です", "でし", "だ", "が", "を", "に", "へ", "は", "で", "と", "も", "の"})
_COPULA = frozenset({"です", "でし", "だ"})
# Particles that end a word inside a chunk written without spaces: わたしは|きんかくじに.
_CUTS = frozenset({"は", "が", "を", "も"})
_PARTICLE_CHARS = frozenset("にへをがはでと")
_NOT_IN_A_NOUN = frozenset({"動詞", "形容詞", "感動詞", "代名詞", "接続詞", "補助記号"})
_MIN_READING = 3
_PLACEHOLDER = "QZW{}"
# Where a learner ends a word: a space or a comma.
_BREAK = r"[\s、，,]"


@lru_cache(maxsize=4096)
def reading(word: str) -> str:
    """The word's reading in hiragana, as the tagger reads it in context (何番 -> なんばん)."""
    from language.japanese.text import tagger

    return "".join(hiragana(w.feature.kana or w.surface) for w in tagger()(word))


def vocabulary(words: Iterable[str]) -> dict[str, str]:
    """Reading -> spelling for the script's nouns written with kanji and long enough to tell apart."""
    found: dict[str, str] = {}
    for word in words:
        if not _HAS_KANJI.search(word) or len(spoken := reading(word)) < _MIN_READING:
            continue
        if all(token.kind == CONTENT and token.nominal for token in tokenise(word, "japanese").items):
            found.setdefault(spoken, word)
    return found


@dataclass
class Swapped:
    text: str  # the turn as it is tokenised
    back: dict[str, str] = field(default_factory=dict)  # what was put in -> what the learner wrote
    written: str = ""  # the turn as the learner wrote it

    def learner(self, value: str) -> str:
        """A captured value as the learner wrote it, and never across a space or a comma they put
        in: 「まいにち にほんごを」 gives にほんご, 「しゅうまつ、えいがを」 えいが."""
        for put, written in self.back.items():
            value = value.replace(put, written)
        spaced = re.compile(f"{_BREAK}*".join(map(re.escape, value.replace(" ", ""))))
        if (found := spaced.search(self.written)) and re.search(_BREAK, found.group()):
            value = [part for part in re.split(f"{_BREAK}+", found.group()) if part][-1]
        return value


@lru_cache(maxsize=4096)
def _split(word: str) -> bool:
    """The tagger cuts this kana noun into pieces: a particle, a prefix or an adverb inside it, no verb.

    Kept per word: learners write the same few hundred kana words turn after turn."""
    from language.japanese.text import tagger

    features = [w.feature for w in tagger()(word)]
    if len(features) < 2 or any(f.pos1 in _NOT_IN_A_NOUN or f.pos2 == "終助詞" for f in features):
        return False
    if features[0].pos1 == "助詞":
        # A particle first is a word after a particle, or a number read out: に|はく is 二泊.
        return False
    if any(f.pos1 == "助動詞" and f.lemma not in ("ず", "ぬ") for f in features):
        return False
    # A piece no noun is made of: a particle (か), an adverb (きん), an inner prefix (み in ふしみいなり).
    return any(f.pos1 in ("助詞", "助動詞", "副詞") for f in features) or any(f.pos1 == "接頭辞" for f in features[1:])


def _from_is(tokens, index: int) -> bool:
    """The copula at `index` follows から or まで: にほんからです is にほん, から, です, never a word
    にほんから."""
    before = tokens[index - 1]
    return tokens[index].surface in _COPULA and before.kind == FUNCTION and before.surface in ("から", "まで")


def _word_in(chunk: str, known: dict[str, str], after_word: bool) -> tuple[int, int, str] | None:
    """The chunk's kana noun before its particle: (start, end, what to put in its place), or None."""
    tokens = tokenise(chunk, "japanese").items
    if "".join(token.surface for token in tokens) != chunk:
        return None
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token.surface))
    candidates, start = [], 0
    for index, token in enumerate(tokens):
        if index == start and token.kind == FUNCTION and after_word:
            # The chunk goes on from a word written in kanji: 切符|はいくらですか.
            start = index + 1
            continue
        if token.kind == FUNCTION and token.surface in _ENDINGS and index > start and not _from_is(tokens, index):
            candidates.append((offsets[start], offsets[index]))
        if index and token.kind == FUNCTION and token.surface in _CUTS:
            start = index + 1
    if not candidates and start < len(tokens):
        # No particle the tagger saw: the chunk is the noun, less a particle stuck to its end (ぎんかくじに).
        end = len(chunk) - 1 if len(chunk) > 3 and chunk[-1] in _PARTICLE_CHARS else len(chunk)
        candidates.append((offsets[start], end))
    for begin, end in candidates:
        word = chunk[begin:end]
        put = known.get(hiragana(word))
        if put is None and word[:1] in ("お", "ご") and (honoured := known.get(hiragana(word[1:]))):
            # The polite prefix before a word of the script: おかいけい is お会計.
            put = word[0] + honoured
        if put is None and _HIRAGANA.match(word) and _split(word):
            put = ""
        if put is not None:
            return begin, end, put
    return None


def swap(text: str, known: dict[str, str]) -> Swapped:
    """The turn with its kana words made whole, and how to give captured words back as written."""
    swapped = Swapped(text=text, written=text)
    out, last = [], 0
    for match in _KANA_RUN.finditer(text):
        chunk = match.group()
        before = text[match.start() - 1] if match.start() else " "
        found = _word_in(chunk, known, after_word=not (before.isspace() or unicodedata.category(before)[0] == "P"))
        if found is None:
            continue
        start, end, put = found
        word = chunk[start:end]
        put = put or _PLACEHOLDER.format(chr(ord("A") + len(swapped.back) % 26))
        if put == word:
            continue
        swapped.back[put] = word
        out.append(text[last : match.start() + start])
        out.append(put)
        last = match.start() + end
    out.append(text[last:])
    swapped.text = "".join(out)
    return swapped
