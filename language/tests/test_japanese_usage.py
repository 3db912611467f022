"""The checker's usage rules: each error kind is found and fixed, and stays silent on correct sentences
that look like it."""

import pytest

from language.japanese import analyse


def _bare(text: str) -> str:
    return "".join(text.split())


# (wrong sentence, expected correction, rule), kana and kanji for each kind.
MISTAKES = [
    ("がっこうを いきます", "がっこうに いきます", "wo_for_destination"),
    ("日本を来ました", "日本に来ました", "wo_for_destination"),
    ("駅を着きました", "駅に着きました", "wo_for_destination"),
    ("うちを かえります", "うちに かえります", "wo_for_destination"),
    ("ともだちを あいます", "ともだちに あいます", "wo_with_au"),
    ("駅で先生を会いました", "駅で先生に会いました", "wo_with_au"),
    ("たなかさんを あいましたか", "たなかさんに あいましたか", "wo_with_au"),
    ("バスを のります", "バスに のります", "wo_with_noru"),
    ("毎朝電車を乗ります", "毎朝電車に乗ります", "wo_with_noru"),
    ("こうえんに いぬが あります", "こうえんに いぬが います", "iru_aru"),
    ("うちに ねこが ありません", "うちに ねこが いません", "iru_aru"),
    ("つくえの うえに ほんが います", "つくえの うえに ほんが あります", "iru_aru"),
    ("かばんに さいふが いません", "かばんに さいふが ありません", "iru_aru"),
    ("はやいに はしります", "はやく はしります", "adjective_as_adverb"),
    ("ただしいに こたえました", "ただしく こたえました", "adjective_as_adverb"),
    ("さむいに なりました", "さむく なりました", "adjective_with_naru"),
    ("へやが きれいく なりました", "へやが きれいに なりました", "adjective_with_naru"),
    ("なには ありますか", "なにが ありますか", "wa_after_question_word"),
    ("誰は先生ですか", "誰が先生ですか", "wa_after_question_word"),
    ("どれは いいですか", "どれが いいですか", "wa_after_question_word"),
    ("わたしもは がくせいです", "わたしも がくせいです", "double_particle"),
    ("肉をは食べません", "肉は食べません", "double_particle"),
    ("コーヒーをも のみます", "コーヒーも のみます", "double_particle"),
    ("これ ほんは わたしのです", "この ほんは わたしのです", "kore_before_noun"),
    ("これ車は高いです", "この車は高いです", "kore_before_noun"),
    ("あれ ひとは だれですか", "あの ひとは だれですか", "kore_before_noun"),
    ("この は なんですか", "これ は なんですか", "kono_without_noun"),
    ("あのは何ですか", "あれは何ですか", "kono_without_noun"),
    ("日本語は難しいですと思います", "日本語は難しいと思います", "desu_before_to_omou"),
    ("かれは がくせいですと おもいます", "かれは がくせいだと おもいます", "desu_before_to_omou"),
    ("にくは たべるない", "にくは たべない", "nai_form"),
    ("じかんが あらない", "じかんが ない", "nai_form"),
    ("あしたは がっこうに いくない", "あしたは がっこうに いかない", "nai_form"),
]

# Correct sentences shaped like the mistakes above: none may raise anything.
LOOK_ALIKES = [
    # を is right for a path, for leaving, and with other verbs of motion
    "こうえんを さんぽします",
    "みちを まっすぐ いって ください",
    "はしを わたって ください",
    "うちを でるのは 八時です",
    "公園を歩きました",
    "がっこうに いきます",
    "日本へ来ました",
    # 会う and 乗る with に or と; 降りる and 乗り換える with を
    "友達に会いました",
    "友達と会います",
    "バスに乗ります",
    "バスを降ります",
    "電車を乗り換えます",
    "電車に乗って学校に行きます",
    # いる for people and animals, ある for things and events; ている is not いる
    "こうえんに いぬが います",
    "ほんが ありません",
    "兄弟が三人います",
    "子供がいますか",
    "あした しけんが あります",
    "雨がふっています",
    "何がありますか",
    # adverbs and なる
    "はやく はしります",
    "さむく なりました",
    "きれいに なりました",
    "しずかに してください",
    "へやを きれいに しました",
    "大きい にもつです",
    # question words
    "何が好きですか",
    "これは何ですか",
    "誰ですか",
    "トイレは どこですか",
    # particles that do go together
    "東京にも大阪にも行きました",
    "ここでは たばこを すいません",
    "わたしも がくせいです",
    "ごはんは たべません",
    # こ・そ・あ・ど
    "これは わたしの ほんです",
    "この ほんは わたしのです",
    "あの ひとは だれですか",
    "これを ひとつ ください",
    "それ、ください",
    "どれが いいですか",
    # と思う
    "たかいと おもいます",
    "彼は学生だと思います",
    "おいしいですね",
    # the plain negative
    "にくは たべない",
    "じかんが ない",
    "テレビを みない",
    "しゅくだいを しない",
    "かれは こない",
    "きょうは いかないです",
]


@pytest.mark.parametrize(("wrong", "expected", "rule"), MISTAKES)
def test_each_kind_is_found_and_corrected(wrong, expected, rule):
    findings = analyse(wrong)
    assert [f.rule for f in findings] == [rule]
    assert _bare(findings[0].correction) == _bare(expected)
    assert findings[0].original in wrong
    assert findings[0].explanation


@pytest.mark.parametrize("sentence", LOOK_ALIKES)
def test_correct_sentences_that_look_like_a_mistake_raise_nothing(sentence):
    assert analyse(sentence) == []
