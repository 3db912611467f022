"""Time language.japanese.dictionary.lookup and language.japanese.readings.annotate.

Run from the repository root: python bench/dictionary.py
Prints the median and 95th-percentile time of a dictionary look-up by kind of query, and of annotating
a chat turn (furigana + romaji), after one warm-up call that opens the database and loads the tagger.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from language.japanese.dictionary import lookup  # noqa: E402  (the path is set just above)
from language.japanese.readings import annotate  # noqa: E402

QUERIES = {
    "kanji": ["食べる", "猫", "駅", "今日", "勉強", "先生", "映画", "大きい", "電車", "天気"],
    "kana": ["たべる", "ねこ", "えき", "ありがとう", "すし", "ケーキ", "コーヒー", "やすい", "げんき", "いく"],
    "conjugated": ["食べました", "行った", "飲んで", "大きくない", "高かったです", "勉強しています", "見ません"],
    "english": ["eat", "cat", "station", "water", "book", "delicious", "how much", "train station", "go", "today"],
}
TURNS = [
    "こんにちは！はじめまして。ゆきです。お名前は？",
    "昨日、東京で友達と映画を見ました。とても面白かったです。",
    "日曜日に家族と公園に行って、お弁当を食べました。天気がよくて、楽しかったです。",
    "すみません、駅までどのくらいかかりますか。",
]


def _time(call, items, rounds: int = 5) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for item in items:
            started = time.perf_counter()
            call(item)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    lookup("猫")
    annotate("ウォームアップ")
    for kind, queries in QUERIES.items():
        median, p95 = _time(lookup, queries)
        print(f"lookup {kind:<11} median {median:6.2f} ms   p95 {p95:6.2f} ms   ({len(queries)} queries x 5)")
    median, p95 = _time(annotate, TURNS)
    print(f"annotate a turn    median {median:6.2f} ms   p95 {p95:6.2f} ms   ({len(TURNS)} turns x 5)")


if __name__ == "__main__":
    main()
