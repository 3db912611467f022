"""Furigana and romaji for Japanese text: each kanji gets its reading, okurigana stay bare. Imports no Django.

Readings come from the tagger (fugashi + unidic-lite); words it misreads are put right by EXCEPTIONS, and a
learner's own corrections go over both.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from .counters import counter_reading
from .dictionary import reading_of
from .readings_exceptions import EXCEPTIONS
from .text import Token, tag

KANA_READING = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]+")  # what a reading may be written with
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
_KANJI_RUN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff々〆ヶ]+)")
_ATTACHED = ("助動詞", "接尾辞", "補助記号")
_JOINING_PARTICLES = ("て", "で", "ば", "たり", "だり", "ちゃ", "じゃ")


@dataclass(frozen=True)
class Segment:
    text: str
    reading: str | None = None  # hiragana, only on a segment holding kanji
    word: int | None = None  # index into Annotation.words; None between words (spaces)


@dataclass(frozen=True)
class Word:
    text: str
    base: str  # the form to look up in the dictionary (食べ → 食べる)


@dataclass(frozen=True)
class Annotation:
    segments: tuple[Segment, ...]
    words: tuple[Word, ...]
    romaji: str


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    reading: str | None  # hiragana of the whole piece; None when it needs none (kana, latin, punctuation)
    spoken: str  # katakana as spoken (particles は/へ/を as わ/え/お), for the romaji
    base: str
    attached: bool  # written onto the word before in romaji (ます, た, て, punctuation)
    proper: bool = False  # a name: capitalised in romaji (Tōkyō)


def to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def annotate(text: str, *, corrections: Mapping[str, str] | None = None) -> Annotation:
    """Segments with their readings, the words they belong to, and the whole text in Hepburn romaji.

    corrections maps a word to the reading the learner gave it; they win over EXCEPTIONS and the tagger.
    """
    text = text if isinstance(text, str) else ""
    pieces = _pieces(text, {**EXCEPTIONS, **(corrections or {})})
    segments: list[Segment] = []
    words: list[Word] = []
    cursor = 0
    for piece in pieces:
        if piece.start > cursor:
            segments.append(Segment(text=text[cursor : piece.start]))
        index = len(words)
        words.append(Word(text=text[piece.start : piece.end], base=piece.base))
        for part, reading in _align(text[piece.start : piece.end], piece.reading):
            segments.append(Segment(text=part, reading=reading, word=index))
        cursor = piece.end
    if cursor < len(text):
        segments.append(Segment(text=text[cursor:]))
    return Annotation(segments=tuple(_merge(segments)), words=tuple(words), romaji=_romaji(text, pieces))


def _pieces(text: str, overrides: Mapping[str, str]) -> list[_Piece]:
    """The text's words in order. Where the tagger reads word by word and misses how words join, one reading
    covers several tokens: an override (the learner's or EXCEPTIONS), a number and its counter (三本 さんぼん),
    or a compound JMdict knows (日曜日 にちようび, お父さん おとうさん).
    """
    tokens = [token for token in tag(text).tokens if token.end > token.start]
    fixed = _overrides(text, tokens, overrides)
    _compounds(text, tokens, fixed)
    pieces: list[_Piece] = []
    cursor = 0
    for index, token in enumerate(tokens):
        if token.start < cursor:
            continue  # inside a fixed span, or a kana word swapped for kanji that came back as two tokens
        if token.start in fixed:
            end, reading = fixed[token.start]
            base = token.base if end == token.end else text[token.start : end]
            spoken = _spoken(_long_vowels(reading))
            pieces.append(
                _Piece(token.start, end, reading, spoken, base, attached=False, proper=token.pos2 == "固有名詞")
            )
            cursor = end
            continue
        nxt = tokens[index + 1] if index + 1 < len(tokens) else None
        pieces.append(_piece(text, token, nxt))
        cursor = token.end
    return pieces


def _overrides(text: str, tokens: list[Token], overrides: Mapping[str, str]) -> dict[int, tuple[int, str]]:
    """Spans an override covers exactly (it starts and ends where tokens do), longest word first."""
    starts = {token.start for token in tokens}
    ends = {token.end for token in tokens}
    fixed: dict[int, tuple[int, str]] = {}
    taken = [False] * len(text)
    for word in sorted(overrides, key=len, reverse=True):
        for match in re.finditer(re.escape(word), text):
            start, end = match.span()
            if start in starts and end in ends and not any(taken[start:end]):
                fixed[start] = (end, to_hiragana(overrides[word]))
                taken[start:end] = [True] * (end - start)
    return fixed


_COMPOUND_PARTS = ("名詞", "接頭辞", "接尾辞")
_MAX_COMPOUND = 4


def _compounds(text: str, tokens: list[Token], fixed: dict[int, tuple[int, str]]) -> None:
    """Add numbers with their counters and JMdict compounds of two to four tokens to fixed, longest first."""
    covered: set[int] = set()
    for start, (end, _) in fixed.items():
        covered.update(range(start, end))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        found = None
        if token.start not in covered and _KANJI.search(text[token.start : token.end]):
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            if nxt and nxt.start == token.end and token.pos2 == "数詞":
                reading = counter_reading(text[token.start : token.end], text[nxt.start : nxt.end])
                found = (index + 1, reading) if reading else None
            for last in range(min(len(tokens), index + _MAX_COMPOUND) - 1, index, -1):
                if found:
                    break
                run = tokens[index : last + 1]
                joined = all(a.end == b.start for a, b in zip(run, run[1:], strict=False))
                if joined and all(t.pos1 in _COMPOUND_PARTS and t.start not in covered for t in run):
                    reading = reading_of(text[token.start : run[-1].end])
                    found = (last, reading) if reading else None
        if found:
            last, reading = found
            fixed[token.start] = (tokens[last].end, reading)
            index = last + 1
        else:
            index += 1


def _piece(text: str, token: Token, nxt: Token | None) -> _Piece:
    written = text[token.start : token.end]
    has_kanji = bool(_KANJI.search(written))
    reading = to_hiragana(token.kana) if has_kanji and token.kana else None
    if written == "何" and nxt and nxt.pos1 == "助詞" and nxt.surface in ("を", "が", "も", "に", "と", "か", "や"):
        reading, token = "なに", replace(token, kana="ナニ", pron="ナニ")  # unidic-lite says なん before them too
    if has_kanji:
        spoken = _spoken(token.kana or written, token.pron)
    elif (token.pos1 == "助詞" and written in ("は", "へ", "を")) or written in _GREETINGS:
        spoken = _spoken(token.pron or written)  # the particles and こんにちは sound wa, e, o
    else:
        spoken = _spoken(written, token.pron)
    # です stays a word of its own, as textbooks write it (gakusei desu, tanoshii desu).
    attached = (token.pos1 in _ATTACHED and token.lemma not in ("です", "だ")) or (
        token.pos1 == "助詞" and token.pos2 == "接続助詞" and written in _JOINING_PARTICLES
    )
    base = written if token.pos1 in ("助詞", "助動詞", "補助記号") else token.base
    return _Piece(token.start, token.end, reading, spoken, base, attached, proper=token.pos2 == "固有名詞")


_GREETINGS = frozenset(("こんにちは", "こんばんは"))


def _japanese(text: str) -> bool:
    return any("\u3040" <= c <= "\u30ff" for c in text)


def _spoken(kana: str, pron: str = "") -> str:
    """Katakana for romaji, with ー where the tagger hears a long vowel spelt う or お (とうきょう).

    A long e spelt い stays ei (せんせい is sensei in Hepburn).
    """
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    if len(pron) != len(kana):
        return kana
    return "".join("ー" if p == "ー" and k in "ウオ" else k for k, p in zip(kana, pron, strict=True))


def _long_vowels(reading: str) -> str:
    """ー for う after an o or u sound in a reading given without the tagger's (くうこう → くーこー)."""
    return re.sub(r"(?<=[おこそとのほもよろごぞどぼぽょうくすつぬふむゆるぐずづぶぷゅ])う", "ー", reading)


def _align(written: str, reading: str | None) -> list[tuple[str, str | None]]:
    """Split a word into kanji runs (with their readings) and bare kana: 食べ/たべ → 食(た) べ."""
    if not reading or not _KANJI.search(written):
        return [(written, None)]
    parts = [part for part in _KANJI_RUN.split(written) if part]
    pattern = "".join("(.+?)" if _KANJI.match(part) else f"({re.escape(to_hiragana(part))})" for part in parts)
    match = re.fullmatch(pattern, reading)
    if not match:
        return [(written, reading)]
    aligned: list[tuple[str, str | None]] = []
    for part, sound in zip(parts, match.groups(), strict=True):
        if _KANJI.match(part):
            aligned.extend(_split_run(part, sound))
        else:
            aligned.append((part, None))
    return aligned


@lru_cache(maxsize=8192)
def _split_run(run: str, reading: str) -> tuple[tuple[str, str | None], ...]:
    """Give each kanji of a run its own reading when KANJIDIC allows exactly one split (勉強 → べん きょう).

    Special readings (今日 きょう, 大人 おとな) have no such split and keep one reading over the whole run.
    """
    if len(run) == 1:
        return ((run, reading),)
    splits: list[list[str]] = []

    def walk(index: int, rest: str, done: list[str]) -> None:
        if len(splits) > 1:
            return
        if index == len(run):
            if not rest:
                splits.append(done)
            return
        for sound in _sounds(run, index):
            if rest.startswith(sound) and len(rest) > len(sound) - (index == len(run) - 1):
                walk(index + 1, rest[len(sound) :], [*done, sound])

    walk(0, reading, [])
    if len(splits) != 1:
        return ((run, reading),)
    return tuple(zip(run, splits[0], strict=True))


_RENDAKU = dict(
    zip("かきくけこさしすせそたちつてとはひふへほ", "がぎぐげござじずぜぞだぢづでどばびぶべぼ", strict=True)
)
_HANDAKU = dict(zip("はひふへほ", "ぱぴぷぺぽ", strict=True))


def _sounds(run: str, index: int) -> set[str]:
    """What a kanji may sound like at this place in a run: voiced after another, clipped to っ before one."""
    char = run[index]
    sounds = set(_kanji_readings().get(char, ()))
    if char == "々" and index:
        sounds = set(_kanji_readings().get(run[index - 1], ()))
    variants = set(sounds)
    for sound in sounds:
        if index:
            if sound[0] in _RENDAKU:
                variants.add(_RENDAKU[sound[0]] + sound[1:])
            if sound[0] in _HANDAKU:
                variants.add(_HANDAKU[sound[0]] + sound[1:])
        if index < len(run) - 1 and len(sound) > 1 and sound[-1] in "つくちき":
            variants.add(sound[:-1] + "っ")
    return {sound for sound in variants if sound}


@lru_cache(maxsize=1)
def _kanji_readings() -> dict[str, frozenset[str]]:
    """KANJIDIC's on and kun readings of each kanji in hiragana, kun readings without their okurigana."""
    # Imported here, as in dictionary.py: SQLite only loads once a word is read.
    import sqlite3

    import jamdict_data

    connection = sqlite3.connect(f"file:{jamdict_data.JAMDICT_DB_PATH}?mode=ro&immutable=1", uri=True)
    readings: dict[str, set[str]] = {}
    try:
        rows = connection.execute(
            """
            SELECT c.literal, r.value FROM character c JOIN rm_group g ON g.cid = c.ID JOIN reading r ON r.gid = g.ID
            WHERE r.r_type IN ('ja_on', 'ja_kun')
            """
        ).fetchall()
    finally:
        connection.close()
    for literal, value in rows:
        readings.setdefault(literal, set()).add(to_hiragana(value.split(".")[0].strip("-")))
    return {literal: frozenset(values) for literal, values in readings.items()}


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbouring bare segments of the same word, so a word has one segment per kanji run and kana run."""
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if last and last.reading is None and segment.reading is None and last.word == segment.word:
            merged[-1] = Segment(text=last.text + segment.text, word=last.word)
        else:
            merged.append(segment)
    return merged


# Modified Hepburn, as taught in most textbooks: し shi, つ tsu, ふ fu, じ ji, ん n (n' before a vowel or y).
_KANA_ROWS = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォヴ"
)
_ROMAJI_ROWS = (
    "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo "
    "ya yu yo ra ri ru re ro wa o n ga gi gu ge go za ji zu ze zo da ji zu de do ba bi bu be bo pa pi pu pe po "
    "a i u e o vu"
)
_HEPBURN = {
    **dict(zip(_KANA_ROWS, _ROMAJI_ROWS.split(" "), strict=True)),
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho", "シェ": "she",
    "チャ": "cha", "チュ": "chu", "チョ": "cho", "チェ": "che", "ニャ": "nya", "ニュ": "nyu", "ニョ": "nyo",
    "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya", "ミュ": "myu", "ミョ": "myo",
    "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya", "ギュ": "gyu", "ギョ": "gyo",
    "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ジェ": "je", "ビャ": "bya", "ビュ": "byu", "ビョ": "byo",
    "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo", "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo",
    "ティ": "ti", "ディ": "di", "トゥ": "tu", "ドゥ": "du", "ウィ": "wi", "ウェ": "we", "ウォ": "wo",
    "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve", "ヴォ": "vo", "ツァ": "tsa", "デュ": "dyu",
}  # fmt: skip
_MACRONS = dict(zip("aiueo", "āīūēō", strict=True))
_PUNCTUATION = str.maketrans({"。": ".", "、": ",", "？": "?", "！": "!", "「": '"', "」": '"', "・": " ", "～": "~"})


def kana_to_romaji(kana: str) -> str:
    """Hepburn for katakana or hiragana; ー lengthens the vowel before it (トーキョー → tōkyō)."""
    kana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    out: list[str] = []
    double = False
    i = 0
    while i < len(kana):
        pair = kana[i : i + 2]
        if pair in _HEPBURN:
            syllable, i = _HEPBURN[pair], i + 2
        elif kana[i] == "ッ":
            double, i = True, i + 1
            continue
        elif kana[i] == "ー":
            if out and out[-1] and out[-1][-1] in _MACRONS:
                out[-1] = out[-1][:-1] + _MACRONS[out[-1][-1]]
            i += 1
            continue
        else:
            syllable, i = _HEPBURN.get(kana[i], kana[i]), i + 1
        if double and syllable[:1].isalpha() and syllable[0] not in "aiueo":
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double = False
        if out and out[-1] == "n" and syllable[:1] in ("a", "i", "u", "e", "o", "y"):
            out[-1] = "n'"
        out.append(syllable)
    return "".join(out)


def _romaji(text: str, pieces: list[_Piece]) -> str:
    """The text in romaji: words apart, endings (ます, た, て) and punctuation on the word before.

    A word and its endings are read as one run of kana, so a small っ doubles across them (買って katte).
    """
    out: list[str] = []
    kana: list[str] = []  # the word being read
    proper = False
    cursor = 0

    def flush() -> None:
        if kana:
            romaji = kana_to_romaji("".join(kana))
            out.append(romaji[:1].upper() + romaji[1:] if proper else romaji)
            kana.clear()

    for piece in pieces:
        gap = text[cursor : piece.start]
        written = text[piece.start : piece.end]
        japanese = _japanese(written) or bool(_KANJI.search(written))
        if gap or not japanese or not piece.attached:
            flush()
        if gap:
            out.append(gap.translate(_PUNCTUATION))
        if japanese:
            if not piece.attached and out and not out[-1].endswith((" ", '"')):
                out.append(" ")
            if not kana:
                proper = piece.proper
            kana.append(piece.spoken)
        else:
            out.append(written.translate(_PUNCTUATION))
        cursor = piece.end
    flush()
    out.append(text[cursor:].translate(_PUNCTUATION))
    romaji = re.sub(r"\s+", " ", "".join(out)).strip()
    romaji = re.sub(r" ([.,?!~])", r"\1", romaji)
    return re.sub(r"(^|[.?!]\s+)([a-zāīūēō])", lambda m: m.group(1) + m.group(2).upper(), romaji)
