"""Score the furigana of language.japanese.annotate on bench/data/japanese_readings.yaml.

Run from the repository root: python bench/readings.py [--verbose]
A word counts as read right when the readings of its segments (kana as written where a segment has none)
give exactly the textbook reading. The same words are read without the exceptions list, by the tagger
alone (no counters, no JMdict compounds either), and, when installed (pip install sudachipy==0.7.0
sudachidict-core==20261015), by Sudachi with its core dictionary, to compare the taggers.
"""

import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from language.japanese import readings  # noqa: E402  (the path is set just above)
from language.japanese.readings import annotate, to_hiragana  # noqa: E402

DATA = ROOT / "bench" / "data" / "japanese_readings.yaml"


def _cases(data: dict) -> list[tuple[str, str, str, str]]:
    """(category, text, word, reading): the word is the whole text when the case names none."""
    cases = []
    for category, rows in data.items():
        for row in rows:
            text, word, reading = row if len(row) == 3 else (row[0], row[0], row[1])
            cases.append((category, text, word, reading))
    return cases


def _read_with_annotate(text: str, word: str) -> str:
    start = text.index(word)
    end = start + len(word)
    out, position = [], 0
    for segment in annotate(text).segments:
        seg_start, seg_end = position, position + len(segment.text)
        position = seg_end
        if seg_end <= start or seg_start >= end:
            continue
        if seg_start < start or seg_end > end:
            # A ruby that straddles the word cannot be told apart: a kana part is cut, a kanji part is wrong.
            if segment.reading:
                return "?"
            out.append(segment.text[max(start - seg_start, 0) : end - seg_start])
            continue
        out.append(segment.reading or segment.text)
    return to_hiragana("".join(out))


def _sudachi():
    try:
        from sudachipy import Dictionary, SplitMode
    except ImportError:
        return None
    tokenizer = Dictionary(dict="core").tokenizer()

    def read(text: str, word: str) -> str:
        start = text.index(word)
        end = start + len(word)
        out = []
        for morpheme in tokenizer.tokenize(text, SplitMode.C):
            if morpheme.end() <= start or morpheme.begin() >= end:
                continue
            if morpheme.begin() < start or morpheme.end() > end:
                return "?"
            out.append(morpheme.reading_form())
        return to_hiragana("".join(out))

    return read


def _score(name: str, read, cases, verbose: bool) -> None:
    per_category: dict[str, list[int]] = {}
    started = time.perf_counter()
    for category, text, word, reading in cases:
        got = read(text, word)
        right = got == reading
        per_category.setdefault(category, []).append(right)
        if verbose and not right:
            print(f"  {name}: {word} in {text}: {got} (textbook {reading})")
    elapsed = (time.perf_counter() - started) * 1000 / len(cases)
    right = sum(sum(values) for values in per_category.values())
    columns = "  ".join(f"{category} {sum(v)}/{len(v)}" for category, v in per_category.items())
    print(f"{name:<26} {right}/{len(cases)} = {right / len(cases):.1%}   {columns}   {elapsed:.2f} ms per text")


def main(verbose: bool) -> None:
    cases = _cases(yaml.safe_load(DATA.read_text(encoding="utf-8")))
    annotate("ウォームアップ")  # load the tagger and the kanji readings outside the timing
    print(f"{len(cases)} words with known readings\n")
    _score("unidic-lite, all helpers", _read_with_annotate, cases, verbose)
    exceptions = dict(readings.EXCEPTIONS)
    readings.EXCEPTIONS.clear()
    try:
        _score("  without exceptions", _read_with_annotate, cases, verbose)
        compounds = readings._compounds
        readings._compounds = lambda text, tokens, fixed: None
        try:
            _score("  tagger alone", _read_with_annotate, cases, verbose)
        finally:
            readings._compounds = compounds
    finally:
        readings.EXCEPTIONS.update(exceptions)
    sudachi = _sudachi()
    if sudachi:
        sudachi("準備", "準備")
        _score("sudachi core (mode C)", sudachi, cases, verbose)
    else:
        print("sudachi core: not installed")


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
