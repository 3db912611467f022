"""Offline Japanese-English dictionary: JMdict as compiled by jamdict-data, looked up by kanji, kana,
a conjugated form or an English gloss. Imports no Django.

The database is read with plain SQL, one read-only connection per thread: jamdict's own lookup builds
whole entry objects (and scans every gloss for wildcard queries), which is far slower than the few
indexed queries a look-up needs, and a connection may not cross threads (Channels runs sync code on a
thread pool).
"""

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .text import tag

if TYPE_CHECKING:
    import sqlite3

MAX_SENSES = 3
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ヶ]")
_WORD_CHARS = re.compile(r"[^\w' -]+")
# A gloss with its entry, its sense and whether it is the sense's first gloss (the main meaning).
_GLOSS_ROW = (
    "s.idseq, s.ID, g.text, g.rowid = (SELECT MIN(rowid) FROM SenseGloss f WHERE f.sid = g.sid) "
    "FROM SenseGloss g JOIN Sense s ON s.ID = g.sid"
)
_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PARENTHESES = re.compile(r"\([^)]*\)")
_INNER_PARENTHESES = re.compile(r"\([^()]*\)")
# JMdict marks common words with these priority tags; news1/ichi1/spec1/gai1 are the first 12,000 or so.
_COMMON = ("news1", "ichi1", "spec1", "spec2", "gai1")
_NOT_WORDS = ("補助記号", "記号", "空白", "助詞", "助動詞")
_USUALLY_KANA = "word usually written using kana alone"
# JMdict's part-of-speech names, shortened where the long form reads like a grammar reference.
_POS_NAMES = {
    "noun (common) (futsuumeishi)": "noun",
    "adjective (keiyoushi)": "i-adjective",
    "adjective (keiyoushi) - yoi/ii class": "i-adjective (ii/yoi)",
    "adjectival nouns or quasi-adjectives (keiyodoshi)": "na-adjective",
    "nouns which may take the genitive case particle 'no'": "no-adjective",
    "noun or participle which takes the aux. verb suru": "suru verb",
    "adverb (fukushi)": "adverb",
    "interjection (kandoushi)": "interjection",
    "pre-noun adjectival (rentaishi)": "pre-noun adjectival",
    "expressions (phrases, clauses, etc.)": "expression",
    "Godan verb - Iku/Yuku special class": "godan verb (iku)",
    "Godan verb - -aru special class": "godan verb (-aru)",
    "Ichidan verb": "ichidan verb",
    "Kuru verb - special class": "kuru verb",
    "suru verb - included": "suru verb",
    "suru verb - special class": "suru verb",
}
_GODAN = re.compile(r"Godan verb with '(\w+)' ending(.*)")


@dataclass(frozen=True)
class Entry:
    word: str  # the written form: kanji, or kana for words usually written in kana
    reading: str  # in hiragana or katakana, as JMdict gives it
    glosses: tuple[str, ...]  # one per sense, most common first; a sense's synonyms joined with "; "
    pos: tuple[str, ...]


_local = threading.local()


def _db() -> "sqlite3.Connection":
    connection = getattr(_local, "connection", None)
    if connection is None:
        # Imported on the first look-up: SQLite's library is more than a megabyte of a process
        # that never looks a word up.
        import sqlite3

        import jamdict_data

        # immutable: the file never changes, so SQLite takes no locks and never checks for writers.
        uri = f"file:{jamdict_data.JAMDICT_DB_PATH}?mode=ro&immutable=1"
        connection = _local.connection = sqlite3.connect(uri, uri=True)
    return connection


def lookup(q: str, *, limit: int = 10) -> list[Entry]:
    """Dictionary entries for a word (kanji, kana or conjugated) or an English gloss, best first."""
    query = unicodedata.normalize("NFKC", q or "").strip()
    if not query or limit <= 0:
        return []
    ranked = _japanese(query) if _JAPANESE.search(query) else _english(query, limit)
    return [_entry(idseq, written) for idseq, written in ranked[:limit]]


def _japanese(query: str) -> list[tuple[int, str | None]]:
    """Exact matches for the whole query first, then the dictionary forms of the words in it."""
    forms = [query, _to_hiragana(query)]
    for index, token in enumerate(tag(query).tokens):
        if token.pos1 in _NOT_WORDS or not _JAPANESE.search(token.surface):
            continue
        if index and token.pos2 == "非自立可能":  # する, いる, ない after a word: part of its inflection
            continue
        forms.extend([token.base, token.lemma])
        if token.pos3 == "サ変可能":
            forms.append(token.base + "する")
    ranked: list[tuple[int, str | None]] = []
    seen: set[int] = set()
    for form in dict.fromkeys(forms):
        for idseq, written in _exact(form):
            if idseq not in seen:
                seen.add(idseq)
                ranked.append((idseq, written))
    return ranked


def _exact(form: str) -> list[tuple[int, str | None]]:
    """Entries with this written form or reading, common words first; the kanji form is kept to show it."""
    rows = (
        _db()
        .execute(
            """
        SELECT k.idseq, k.text, (SELECT COUNT(*) FROM KJP p WHERE p.kid = k.ID AND p.text IN (?, ?, ?, ?, ?))
        FROM Kanji k WHERE k.text = ?
        UNION ALL
        SELECT n.idseq, NULL, (SELECT COUNT(*) FROM KNP p WHERE p.kid = n.ID AND p.text IN (?, ?, ?, ?, ?))
        FROM Kana n WHERE n.text = ?
        """,
            (*_COMMON, form, *_COMMON, form),
        )
        .fetchall()
    )
    best: dict[int, tuple[int, str | None]] = {}
    for idseq, written, common in rows:
        if idseq not in best or common > best[idseq][0]:
            best[idseq] = (common, written or best.get(idseq, (0, None))[1])
    return [(idseq, written) for idseq, (_, written) in sorted(best.items(), key=lambda item: (-item[1][0], item[0]))]


def _english(query: str, limit: int) -> list[tuple[int, str | None]]:
    """Entries glossed with the query: a gloss that is the query, then one starting or holding it as a word.

    Within each group, entries whose first sense matches come first, then common words.
    """
    words = _WORD_CHARS.sub(" ", query).split()
    if words[:1] in (["to"], ["To"]) and len(words) > 1:
        words = words[1:]
    if not words:
        return []
    phrase = " ".join(words).lower()
    heads = (phrase, f"to {phrase}", f"a {phrase}", f"an {phrase}", f"the {phrase}")
    # Glosses starting with a head come from the gloss index (case-sensitive: "I", "Tokyo" are capitalised).
    starts = (*heads, phrase.capitalize(), " ".join(words))
    ranges = " OR ".join("(g.text >= ? AND g.text < ?)" for _ in starts)
    rows = (
        _db()
        .execute(
            f"SELECT {_GLOSS_ROW} WHERE {ranges}",
            [bound for start in starts for bound in (start, start + "\uffff")],
        )
        .fetchall()
    )
    pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
    rows = [row for row in rows if pattern.search(row[2])]
    if len(phrase) >= 3:
        # A word inside a longer gloss ("station" in "railway station", 駅's gloss) needs a scan of every gloss.
        rows += [
            row
            for row in _db().execute(
                f"SELECT {_GLOSS_ROW} WHERE g.text LIKE ?",
                (f"%{phrase}%",),
            )
            if pattern.search(row[2])
        ]
    first_sense = _first_senses({row[0] for row in rows})
    scores: dict[int, tuple[int, int, int]] = {}
    for idseq, sense_id, gloss, first_gloss in rows:
        bare = gloss.lower()
        while _INNER_PARENTHESES.search(bare):  # innermost first: "dog (Canis (lupus) familiaris)"
            bare = _INNER_PARENTHESES.sub(" ", bare)
        bare = " ".join(bare.split())
        # A gloss ending in the word names a kind of it ("railway station" for 駅); one starting with it
        # mostly names something else ("rice cracker").
        if bare in heads:
            tier = 0
        elif bare.endswith(f" {phrase}"):
            tier = 1
        else:
            tier = 2 if bare.startswith(heads) else 3
        score = (tier, 0 if sense_id == first_sense[idseq] else 1, 0 if first_gloss else 1)
        if idseq not in scores or score < scores[idseq]:
            scores[idseq] = score
    # A close match decides first, then a basic word before a rare one, then the main meaning before a side one.
    # How common a word is costs a query per batch: only entries that can still make the cut are looked up.
    ordered = sorted(scores, key=lambda idseq: scores[idseq][0])
    if len(ordered) > limit:
        # Close matches (tiers 0 and 1) all stay: commonness, not the tier, orders them.
        cut = max(scores[ordered[limit - 1]][0], 1)
        ordered = [idseq for idseq in ordered if scores[idseq][0] <= cut]
    commonness = _commonness(ordered)
    # A basic word whose main meaning is the query or a kind of it ("railway station") beats a rarer word
    # or a side meaning: a learner asking for "station" wants 駅, not 停留所 ("stop (bus); station").
    ordered.sort(
        key=lambda idseq: (
            scores[idseq][0] > 1,
            -commonness[idseq][0],
            scores[idseq][1:],
            scores[idseq][0],
            -commonness[idseq][1],
            -commonness[idseq][2],
            idseq,
        )
    )
    return [(idseq, None) for idseq in ordered]


def _first_senses(idseqs: set[int]) -> dict[int, int]:
    first: dict[int, int] = {}
    for chunk in _chunks(sorted(idseqs)):
        marks = ",".join("?" * len(chunk))
        first.update(_db().execute(f"SELECT idseq, MIN(ID) FROM Sense WHERE idseq IN ({marks}) GROUP BY idseq", chunk))
    return first


def _commonness(idseqs: list[int]) -> dict[int, tuple[int, int, int]]:
    """How common each word is for a learner: tagged common in JMdict, then how early its kanji are
    taught (old JLPT level 4 is the first), then its newspaper frequency band (nf01 is the most frequent).
    """
    common: dict[int, int] = {}
    bands: dict[int, int] = {}
    written: dict[int, str] = {}  # the first kanji form, unless the word is usually written in kana
    for chunk in _chunks(idseqs):
        marks = ",".join("?" * len(chunk))
        for idseq, priority in _db().execute(
            f"""
            SELECT k.idseq, p.text FROM KJP p JOIN Kanji k ON k.ID = p.kid WHERE k.idseq IN ({marks})
            UNION ALL SELECT n.idseq, p.text FROM KNP p JOIN Kana n ON n.ID = p.kid WHERE n.idseq IN ({marks})
            """,
            (*chunk, *chunk),
        ):
            # ichi1 is the Ichimango list of basic words, the best sign that a learner needs the word.
            common[idseq] = max(common.get(idseq, 0), 2 if priority == "ichi1" else int(priority in _COMMON))
            if priority.startswith("nf"):
                bands[idseq] = min(bands.get(idseq, 49), int(priority[2:]))
        for idseq, text in _db().execute(
            f"""
            SELECT idseq, text FROM Kanji WHERE idseq IN ({marks}) AND idseq NOT IN (
                SELECT s.idseq FROM Sense s JOIN misc m ON m.sid = s.ID
                WHERE s.idseq IN ({marks}) AND m.text = ?
                AND s.ID = (SELECT MIN(ID) FROM Sense f WHERE f.idseq = s.idseq)
            ) ORDER BY ID DESC
            """,
            (*chunk, *chunk, _USUALLY_KANA),
        ):
            written[idseq] = text  # rows come last form first, so the first form is written last
    levels = _kanji_levels()
    return {
        idseq: (
            common.get(idseq, 0),
            min((levels.get(char, 0) for char in written[idseq] if char in levels or _KANJI.match(char)), default=3)
            if idseq in written
            else 3,
            -bands.get(idseq, 49),
        )
        for idseq in idseqs
    }


@lru_cache(maxsize=1)
def _kanji_levels() -> dict[str, int]:
    """Each kanji's old JLPT level, 4 (first taught) to 1."""
    return {
        literal: int(level)
        for literal, level in _db().execute("SELECT literal, jlpt FROM character WHERE jlpt IS NOT NULL")
    }


def _chunks(items: list[int], size: int = 400) -> list[list[int]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _entry(idseq: int, written: str | None) -> Entry:
    db = _db()
    kanji = [row[0] for row in db.execute("SELECT text FROM Kanji WHERE idseq = ? ORDER BY ID", (idseq,))]
    kana = [row[0] for row in db.execute("SELECT text FROM Kana WHERE idseq = ? ORDER BY ID", (idseq,))]
    senses = [row[0] for row in db.execute("SELECT ID FROM Sense WHERE idseq = ? ORDER BY ID", (idseq,))]
    glosses: list[str] = []
    pos: list[str] = []
    usually_kana = False
    for number, sense_id in enumerate(senses[:MAX_SENSES]):
        meaning = [
            row[0] for row in db.execute("SELECT text FROM SenseGloss WHERE sid = ? ORDER BY rowid", (sense_id,))
        ]
        if meaning:
            glosses.append("; ".join(meaning))
        pos += [
            _pos_name(row[0]) for row in db.execute("SELECT text FROM pos WHERE sid = ? ORDER BY rowid", (sense_id,))
        ]
        if number == 0:
            usually_kana = bool(
                db.execute("SELECT 1 FROM misc WHERE sid = ? AND text = ?", (sense_id, _USUALLY_KANA)).fetchone()
            )
    reading = kana[0] if kana else ""
    word = reading if usually_kana or not kanji else (written or kanji[0])
    return Entry(
        word=word,
        reading=reading,
        glosses=tuple(dict.fromkeys(glosses)),
        pos=tuple(dict.fromkeys(pos)),
    )


def _pos_name(name: str) -> str:
    if name in _POS_NAMES:
        return _POS_NAMES[name]
    godan = _GODAN.fullmatch(name)
    if godan:
        return f"godan verb (-{godan.group(1)}){godan.group(2)}"
    return name


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


@lru_cache(maxsize=8192)
def reading_of(written: str) -> str | None:
    """JMdict's first reading of a word written with kanji (日曜日 → にちようび), from its most common entry."""
    for idseq, kanji in _exact(written):
        if kanji is None:
            continue
        row = (
            _db()
            .execute(
                """
            SELECT n.text FROM Kana n WHERE n.idseq = ? AND (
                NOT EXISTS (SELECT 1 FROM KNR r WHERE r.kid = n.ID)
                OR EXISTS (SELECT 1 FROM KNR r WHERE r.kid = n.ID AND r.text = ?)
            ) ORDER BY n.ID LIMIT 1
            """,
                (idseq, written),
            )
            .fetchone()
        )
        if row:
            return row[0]
    return None
