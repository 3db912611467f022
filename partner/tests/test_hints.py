"""A vocabulary hint is found where the partner says it: filled in, in kana, with a beginner's spaces."""

import pytest

from partner.hints import hint_position


@pytest.mark.parametrize(
    ("phrase", "reading", "text", "language"),
    [
        ("〜が好きです", "〜がすきです", "なにが すきですか。", "japanese"),
        ("〜から来ました", "〜からきました", "どこから きましたか。", "japanese"),
        ("週末", "しゅうまつ", "しゅうまつは なにを しましたか。", "japanese"),
        ("駅", "えき", "そうですね。えきは ちかいです。", "japanese"),
        ("駅", "えき", "えきまで あるきました。", "japanese"),
        ("〜さんは？", "〜さんは？", "わたしは りょうりが すきです。サラさんは？", "japanese"),
        ("I'm from...", "", "Nice! I’m from Leeds, and you?", "english"),
        ("What do you do?", "", "So, what do you do?", "english"),
        # either of a hint's alternatives
        ("Sono di... / Vengo da...", "", "Io? Vengo da Roma.", "italian"),
    ],
)
def test_a_hint_is_found_filled_in_or_in_kana(phrase, reading, text, language):
    assert hint_position(phrase=phrase, reading=reading, text=text, language=language) is not None


@pytest.mark.parametrize(
    ("phrase", "reading", "text", "language"),
    [
        # a bare copula would be in nearly every line
        ("〜です", "〜です", "アメリカですか。いいですね。", "japanese"),
        # another tense is another phrase, and words match whole
        ("I live in...", "", "I lived in Paris.", "english"),
        ("hobby", "", "Hobbyists meet here.", "english"),
        ("趣味", "しゅみ", "なにが すきですか。", "japanese"),
        # a short reading across two words of a spaced line
        ("駅", "えき", "おなまえ きいても いいですか。", "japanese"),
    ],
)
def test_a_hint_is_not_found_where_it_is_not_said(phrase, reading, text, language):
    assert hint_position(phrase=phrase, reading=reading, text=text, language=language) is None


def test_the_position_is_the_first_form_said():
    text = "しゅみは なんですか。趣味"
    assert hint_position(phrase="趣味", reading="しゅみ", text=text, language="japanese") == 0
