"""Tokenised learner turns and the script patterns matched over them."""

import pytest

from language.tokens import PatternInvalid, pattern_compile, tokenise


@pytest.mark.parametrize(
    ("language", "pattern", "turn", "captured"),
    [
        ("japanese", "{name} です", "私はアイコです。", {"name": "アイコ"}),
        ("japanese", "{name} と 申す|言う", "アレックスといいます。", {"name": "アレックス"}),
        ("japanese", "{place} から 来る", "カナダからきました", {"place": "カナダ"}),
        ("japanese", "{place} から 来る", "カナダから来ました", {"place": "カナダ"}),
        ("japanese", "{like} が ... 好き", "アニメがとても好きです。", {"like": "アニメ"}),
        ("japanese", "{like} が ... 好き", "すしがすきです", {"like": "すし"}),
        ("japanese", "土曜日", "土曜日に行きます", {}),
        ("japanese", "{name} です", "Aikoです", {"name": "Aiko"}),
        ("japanese", "{name} です", "ケンです。", {"name": "ケン"}),
        ("japanese", "{destination} へ ... 行く", "金閣寺へ行きたいです。", {"destination": "金閣寺"}),
        ("japanese", "{job} です", "会社員です。", {"job": "会社員"}),
        ("japanese", "{name} さん", "ゆきさんは？", {"name": "ゆき"}),
        ("spanish", "me llamar {name}", "Me llamo Ana García.", {"name": "Ana García"}),
        ("spanish", "querer {drink}", "Quiero un café con leche", {"drink": "café con leche"}),
        ("spanish", "como", "¿Cómo estás?", {}),
        ("english", "i be from {place}", "I'm from New Zealand", {"place": "New Zealand"}),
        ("english", "my name be {name}", "my name is Bob", {"name": "Bob"}),
        ("english", "like ... {like}", "I really like cooking", {"like": "cooking"}),
    ],
)
def test_a_pattern_captures_what_the_learner_said(language, pattern, turn, captured):
    assert pattern_compile(pattern, language).match(tokenise(turn, language)) == captured


@pytest.mark.parametrize(
    ("language", "pattern", "turn"),
    [
        ("japanese", "{place} から 来る", "カナダに行きます"),
        ("japanese", "好き", "きらいです"),
        # a slot never swallows a particle: は is not part of a name
        ("japanese", "名前 は {name} さん", "名前はです"),
        ("english", "my name be {name}", "my name is"),
        ("spanish", "me llamar {name}", "me gusta el café"),
    ],
)
def test_a_pattern_does_not_fit_what_the_learner_did_not_say(language, pattern, turn):
    assert pattern_compile(pattern, language).match(tokenise(turn, language)) is None


def test_a_raw_substring_is_not_a_word():
    # "cat" is in "category", but a pattern matches words, not letters
    assert pattern_compile("cat", "english").match(tokenise("What category is it?", "english")) is None


@pytest.mark.parametrize(
    ("turn", "question"),
    [("どこから来ましたか", True), ("ゆきさんは？", True), ("カナダから来ました。", False), ("学生ですか。", True)],
)
def test_japanese_questions_end_in_ka_or_a_question_mark(turn, question):
    assert tokenise(turn, "japanese").is_question is question


@pytest.mark.parametrize("source", ["{Name}", "... です", "です ...", "{na me}", "。"])
def test_a_pattern_that_cannot_work_is_refused(source):
    with pytest.raises(PatternInvalid):
        pattern_compile(source, "japanese")
