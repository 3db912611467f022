"""The offline JMdict dictionary: look-up by kanji, kana, conjugated form and English gloss."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from language.japanese.dictionary import Entry, lookup


def _words(query: str, limit: int = 10) -> list[str]:
    return [entry.word for entry in lookup(query, limit=limit)]


def test_kanji_finds_the_word_with_reading_glosses_and_readable_parts_of_speech():
    entry = lookup("食べる")[0]
    assert isinstance(entry, Entry)
    assert (entry.word, entry.reading) == ("食べる", "たべる")
    assert entry.glosses[:2] == ("to eat", "to live on (e.g. a salary); to live off; to subsist on")
    assert entry.pos[:2] == ("ichidan verb", "transitive verb")


@pytest.mark.parametrize(
    ("query", "word", "reading"),
    [
        ("たべる", "食べる", "たべる"),
        ("ねこ", "猫", "ねこ"),
        ("ケーキ", "ケーキ", "ケーキ"),
        ("ありがとう", "ありがとう", "ありがとう"),
        ("今日", "今日", "きょう"),
    ],
)
def test_kana_and_kanji_find_the_same_word(query, word, reading):
    entry = lookup(query)[0]
    assert (entry.word, entry.reading) == (word, reading)


@pytest.mark.parametrize(
    ("conjugated", "word"),
    [
        ("食べました", "食べる"),
        ("たべません", "食べる"),
        ("行った", "行く"),
        ("飲んで", "飲む"),
        ("大きくない", "大きい"),
        ("高かったです", "高い"),
        ("勉強しています", "勉強"),
    ],
)
def test_a_conjugated_form_finds_its_dictionary_form_first(conjugated, word):
    assert _words(conjugated)[0] == word


def test_a_word_usually_written_in_kana_is_shown_in_kana():
    entry = lookup("する")[0]
    assert entry.word == "する"
    assert entry.glosses[0].startswith("to do; ")


@pytest.mark.parametrize(
    ("english", "word"),
    [
        ("eat", "食べる"),
        ("to eat", "食べる"),
        ("cat", "猫"),
        ("Cat", "猫"),
        ("water", "水"),
        ("book", "本"),
        ("delicious", "おいしい"),
        ("beautiful", "美しい"),
        ("how much", "いくら"),
        ("go", "行く"),
        ("I", "私"),
        ("big", "大きい"),
        ("today", "今日"),
    ],
)
def test_an_english_gloss_finds_the_common_word_first(english, word):
    assert _words(english, limit=3)[0] == word


def test_a_gloss_inside_a_longer_gloss_is_found_after_exact_ones():
    words = _words("train station")
    assert words[0] == "駅"
    assert len(words) > 2


def test_limit_caps_the_entries():
    assert len(lookup("eat", limit=2)) == 2
    assert lookup("eat", limit=0) == []


@pytest.mark.parametrize("query", ["", "   ", "xyzzyqq", "!!!", "\x00", "ｘｙｚｚｙ", "%", "_"])
def test_nothing_to_find_is_an_empty_list(query):
    assert lookup(query) == []


def test_entries_are_frozen():
    entry = lookup("猫")[0]
    with pytest.raises(AttributeError):
        entry.word = "犬"  # type: ignore[misc]


def test_lookups_from_several_threads_agree():
    queries = ["食べました", "cat", "ねこ", "行った", "water", "大きくない"] * 8
    expected = [_words(query, limit=3) for query in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda query: _words(query, limit=3), queries))
    assert results == expected


@pytest.mark.parametrize(
    ("english", "word"),
    [
        ("station", "駅"),  # glossed "railway station": a kind of station beats 停留所's side meaning
        ("dog", "犬"),  # glossed "dog (Canis (lupus) familiaris)": nested brackets
        ("sushi", "寿司"),
        ("I", "私"),
        ("rice", "米"),
        ("cat", "猫"),
    ],
)
def test_an_english_word_finds_the_word_a_beginner_needs_first(english, word):
    assert lookup(english, limit=5)[0].word == word
