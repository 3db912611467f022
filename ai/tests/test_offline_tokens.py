"""The offline partner's token estimate: about a token a kana or kanji, four Latin letters a token."""

import pytest

from ai.providers.offline import estimate_tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("a", 1),
        ("Hello there, friend", 5),
        ("ねこが すきです", 8),
        ("日本語を勉強します。", 10),
        ("Tokyo 東京", 4),
    ],
)
def test_wide_letters_count_as_a_token_each_latin_as_a_quarter(text, tokens):
    assert estimate_tokens(text) == tokens
