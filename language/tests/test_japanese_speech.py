import pytest

from language.japanese import speech


def _line(word: str) -> str:
    return "".join(("H" if mora.high else "L") for mora in speech.pitch_accent(word))


@pytest.mark.parametrize(
    ("word", "line"),
    [
        ("箸", "HL"),  # atamadaka: falls after the first mora
        ("橋", "LH"),  # odaka: the fall comes on a following particle
        ("端", "LH"),  # heiban
        ("東京", "LHHH"),  # ト ー キョ ー: flat
        ("食べます", "LHHL"),  # one phrase: the nucleus on マ
        ("先生", "LHHL"),
    ],
)
def test_pitch_accent_draws_the_tokyo_pattern(word, line):
    assert _line(word) == line


def test_small_kana_share_a_mora():
    assert [mora.kana for mora in speech.pitch_accent("東京")] == ["ト", "ー", "キョ", "ー"]


def test_markup_and_empty_pieces_are_not_spoken():
    assert speech.sentences("**こんにちは**。\n\n- げんき ですか？ 。") == ["こんにちは。", "げんき ですか？"]


def test_audio_leaves_sentence_by_sentence():
    chunks = list(speech.japanese_ogg("はい。そうです。ありがとう ございます。"))
    # the first Ogg pages leave before the last sentence is made
    assert len(chunks) >= 2
    assert chunks[0].startswith(b"OggS")


def test_a_word_read_otherwise_than_its_entry_has_no_accent():
    # Open JTalk reads 今日 as きょう (2 morae); an entry read こんにち must not get its line
    assert speech.word_accent("今日", "こんにち") is None
    assert speech.word_accent("今日", "きょう").nucleus == 1
