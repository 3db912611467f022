"""The offline beginner-Japanese checker: labelled mistakes per category, and silence on correct Japanese."""

import random

import pytest

from language.japanese import Finding, analyse


def _bare(text: str) -> str:
    return "".join(text.split())


# (wrong sentence, expected correction, expected type), kana and kanji for each category.
MISTAKES = [
    # 1. wrong particle before です
    ("わたしを がくせい です", "わたしは がくせいです", "particle"),
    ("たなかさんを べんごしです", "たなかさんは べんごしです", "particle"),
    ("兄を医者です", "兄は医者です", "particle"),
    ("この部屋を広いです", "この部屋は広いです", "particle"),
    # 2. missing topic particle
    ("わたし がくせいです", "わたしは がくせいです", "particle"),
    ("かれ ちゅうごくじんです", "かれは ちゅうごくじんです", "particle"),
    ("私 エンジニアです", "私はエンジニアです", "particle"),
    # 3. を/が
    ("ねこを すきです", "ねこが すきです", "particle"),
    ("すうがくを にがてです", "すうがくが にがてです", "particle"),
    ("ペンを ありますか", "ペンが ありますか", "particle"),
    ("漢字を分かります", "漢字が分かります", "particle"),
    ("ごはんが たべます", "ごはんを たべます", "particle"),
    ("ジュースが のみます", "ジュースを のみます", "particle"),
    ("雑誌が読みます", "雑誌を読みます", "particle"),
    # 4. に/で
    ("としょかんに べんきょうします", "としょかんで べんきょうします", "particle"),
    ("レストランに ばんごはんを たべました", "レストランで ばんごはんを たべました", "particle"),
    ("病院に働きます", "病院で働きます", "particle"),
    ("こうえんで いぬが います", "こうえんに いぬが います", "particle"),
    ("にわで きが あります", "にわに きが あります", "particle"),
    ("大阪で住んでいます", "大阪に住んでいます", "particle"),
    # 5. past time word with non-past
    ("きのう えいがを みます", "きのう えいがを みました", "grammar"),
    ("せんしゅう プールで およぎます", "せんしゅう プールで およぎました", "grammar"),
    ("きょねんは いそがしいです", "きょねんは いそがしかったです", "grammar"),
    ("きのうは やすみです", "きのうは やすみでした", "grammar"),
    ("先月京都に行きます", "先月京都に行きました", "grammar"),
    ("昨日は寒いです", "昨日は寒かったです", "grammar"),
    # 6. い-adjective past and negative
    ("たかいでした", "たかかったです", "conjugation"),
    ("パーティーは たのしいでした", "パーティーは たのしかったです", "conjugation"),
    ("あのレストランは たかいじゃないです", "あのレストランは たかくないです", "conjugation"),
    ("テストは いいでした", "テストは よかったです", "conjugation"),
    ("この映画はいいじゃないです", "この映画はよくないです", "conjugation"),
    ("部屋は狭いでした", "部屋は狭かったです", "conjugation"),
    # 7. な-adjective past and attributive な
    ("しずかかった", "しずかでした", "conjugation"),
    ("こうえんは きれいかったです", "こうえんは きれいでした", "conjugation"),
    ("駅は便利かったです", "駅は便利でした", "conjugation"),
    ("しずかの へやです", "しずかな へやです", "grammar"),
    ("げんきの こどもです", "げんきな こどもです", "grammar"),
    ("静か部屋です", "静かな部屋です", "grammar"),
    # 8. の between nouns, の after an い-adjective
    ("これは わたし ほんです", "これは わたしの ほんです", "particle"),
    ("わたし くには アメリカです", "わたしの くには アメリカです", "particle"),
    ("おいしいの ケーキです", "おいしい ケーキです", "particle"),
    ("やすいの くつを かいました", "やすい くつを かいました", "particle"),
    ("白いの猫がいます", "白い猫がいます", "particle"),
    # 9. に after relative time words
    ("あしたに いきます", "あした いきます", "particle"),
    ("まいにちに ジョギングします", "まいにち ジョギングします", "particle"),
    ("らいげつに ひっこします", "らいげつ ひっこします", "particle"),
    ("今日に買い物をします", "今日買い物をします", "particle"),
    # 10. だ with です
    ("がくせいだです", "がくせいです", "grammar"),
    ("あれは ゆうびんきょくだです", "あれは ゆうびんきょくです", "grammar"),
    ("今日は水曜日だです", "今日は水曜日です", "grammar"),
    # 11. です after a verb
    ("たべますです", "たべます", "politeness"),
    ("よく ねましたです", "よく ねました", "politeness"),
    ("まいあさ あるくです", "まいあさ あるきます", "politeness"),
    ("毎日働きますです", "毎日働きます", "politeness"),
    # 12. verb groups
    ("まいにち ごはんを たべります", "まいにち ごはんを たべます", "conjugation"),
    ("シャワーを あびります", "シャワーを あびます", "conjugation"),
    ("いえに かえます", "いえに かえります", "conjugation"),
    ("きのう こうえんへ いきった", "きのう こうえんへ いった", "conjugation"),
    ("べんきょうを するます", "べんきょうを します", "conjugation"),
    ("みずを のみて ください", "みずを のんで ください", "conjugation"),
    ("なまえを かきて ください", "なまえを かいて ください", "conjugation"),
    ("テレビを みって ください", "テレビを みて ください", "conjugation"),
    ("本を読みて、寝ました", "本を読んで、寝ました", "conjugation"),
    ("明日来るます", "明日来ます", "conjugation"),
]

# Correct sentences close to the mistakes above: the rules must stay silent on them.
NEAR_MISSES = [
    "わたしは がくせいです",
    "わたしが やります",
    "兄は医者です",
    "ねこが すきです",
    "ほんを よむのが すきです",
    "すしが たべたいです",
    "にほんごが はなせます",
    "ねこが ねずみを たべました",
    "ははが つくった りょうりは おいしいです",
    "としょかんで べんきょうします",
    "こうえんに いぬが います",
    "こうえんで こどもが あそんで います",
    "だいがくで コンサートが あります",
    "くるまで がっこうへ いきます",
    "えきに つきました",
    "きのう えいがを みました",
    "きのうから ねつが あります",
    "きのうの テストは かんたんでした",
    "たかかったです",
    "たかくないです",
    "よかったです",
    "しずかでした",
    "しずかな へやです",
    "わたしの ほんです",
    "あかい くるまです",
    "あかいのが すきです",
    "あした いきます",
    "さんじに あいましょう",
    "がくせいです",
    "たべます",
    "たべないです",
    "いきたいです",
    "たべて ください",
    "のんで ください",
    "かいて ください",
    "うちに かえります",
    "かみを きります",
    "いえに います",
    "ここに かいて ください",
]

GENERAL = [
    "おはようございます", "こんにちは", "はじめまして", "よろしく おねがいします", "ありがとう ございます",
    "どういたしまして", "しつれいします", "すみません", "ごめんなさい", "また あした",
    "わたしは マリアです", "スペインから きました", "にじゅうごさいです", "だいがくで けいざいを べんきょうして います",
    "しゅみは えいがを みる ことです", "かぞくは ごにんです", "あねが ふたり います", "ちちは ぎんこういんです",
    "私はカナダ人です", "専門は歴史です", "趣味はテニスです", "兄弟はいません", "東京に住んでいます",
    "これは いくらですか", "この シャツを ください", "もう すこし おおきいのは ありますか", "カードで はらえますか",
    "ふくろは いりません", "これと これを ください", "ぜんぶで せんえんです", "りんごを よっつ ください",
    "ビールを にほん ください", "切手を三枚ください", "このセーターは高いですね", "レシートをお願いします",
    "えきは どこですか", "まっすぐ いって ください", "みぎに まがって ください", "ここで とめて ください",
    "きっぷは どこで かいますか", "しんかんせんで おおさかへ いきます", "ひこうきは なんじに つきますか",
    "ホテルの へやは ひろかったです", "にもつを あずけても いいですか", "地図を見せてください",
    "駅まで歩いて五分です", "空港までバスで行きます", "この電車は新宿に止まりますか",
    "おせわに なって おります", "かしこまりました", "しょうしょう おまち ください", "もうしわけ ございません",
    "会議は三時からです", "資料を確認しました", "来週の予定を教えてください", "メールを送っておきます",
    "お疲れ様でした", "明日までに報告書を出します", "部長は今出かけています",
    "なんじに おきますか", "どこへ いきますか", "だれと いきましたか", "なにが すきですか", "いつ かえりますか",
    "にほんごは むずかしいですか", "コーヒーと こうちゃと どちらが いいですか", "しゅうまつは ひまですか",
    "お名前は何ですか", "お仕事は何ですか", "どうして日本語を勉強していますか",
    "にくは たべません", "おさけは のみません", "きのうは どこへも いきませんでした", "まだ わかりません",
    "あまり さむくないです", "ぜんぜん たかくなかったです", "へやは きれいじゃないです", "テレビは みません",
    "まどを あけて ください", "しゃしんを とって ください", "ここに すわって ください", "ちょっと てつだって ください",
    "でんきを けして ください", "すこし やすんでも いいですか", "名前を書いてください", "静かにしてください",
    "にほんへ いきたいです", "あたらしい パソコンが ほしいです", "なにか のみたいです", "もっと はなしたいです",
    "温泉に行きたいです", "寿司を食べたいです", "ゆっくり休みたいです",
    "りんごを みっつ かいました", "ねこが にひき います", "ほんを さんさつ よみました", "いちじかん まちました",
    "コーヒーを 二杯飲みました", "学生が十人います", "三回行きました",
    "まいあさ しちじに おきます", "よる じゅうじに ねます", "らいしゅう しけんが あります", "こんばん あめが ふります",
    "きょうは にちようびです", "おととい ともだちに あいました", "せんげつ ひっこしました", "けさ ジョギングしました",
    "来年結婚します", "毎週日曜日に掃除します", "今朝は寒かったです", "去年の夏は暑かったです",
    "ゆきが たくさん ふって います", "かぜが つよいですね", "きょうは いい てんきですね", "あめが やみました",
    "おなかが いたいです", "くすりを のみました", "びょういんへ いきます", "ねつが あります",
    "にほんの たべものが だいすきです", "ラーメンは おいしいです", "やさいを たくさん たべます",
    "みずを のみます", "おちゃを いれました", "ばんごはんを つくります", "スーパーで やさいを かいます",
    "わたしは ギターが ひけます", "かんじが すこし よめます", "およぐ ことが できます", "うんてんが できません",
    "ははは りょうりが じょうずです", "ちちは うたが へたです", "あには スポーツが とくいです",
    "えいがを みて、しょくじを しました", "うちへ かえって、ねました", "あさ おきて、シャワーを あびます",
    "さむいですから、コートを きます", "じかんが ないので、タクシーで いきます", "たかいですが、かいます",
    "ともだちが きて、いっしょに あそびました", "あめが ふったら、いきません", "ひまな とき、ほんを よみます",
]  # fmt: skip


@pytest.mark.parametrize(("wrong", "expected", "kind"), MISTAKES)
def test_mistake_is_found_with_its_correction(wrong: str, expected: str, kind: str) -> None:
    findings = analyse(wrong)
    assert findings, f"nothing found in {wrong}"
    matching = [f for f in findings if _bare(f.correction) == _bare(expected)]
    assert matching, [f.as_dict() for f in findings]
    assert matching[0].type == kind
    assert matching[0].original in wrong


@pytest.mark.parametrize("sentence", NEAR_MISSES + GENERAL)
def test_correct_sentence_gives_no_finding(sentence: str) -> None:
    assert analyse(sentence) == []


def test_finding_is_a_frozen_dataclass_with_a_dict_form() -> None:
    finding = analyse("わたしを がくせいです")[0]
    assert finding.as_dict() == {
        "type": "particle",
        "severity": "high",
        "original": "を",
        "correction": "わたしは がくせいです",
        "explanation": finding.explanation,
        "rule": "particle_before_desu",
    }
    with pytest.raises(AttributeError):
        finding.rule = "other"  # type: ignore[misc]


def test_correction_keeps_the_learner_spacing_and_edits_only_the_mistake() -> None:
    assert analyse("まいにち  ごはんが たべます")[0].correction == "まいにち  ごはんを たべます"


def test_each_sentence_of_a_turn_is_corrected_on_its_own() -> None:
    findings = analyse("わたしは マリアです。きのう えいがを みます！ねこを すきです")
    assert [(f.rule, f.correction) for f in findings] == [
        ("past_time_non_past", "きのう えいがを みました！"),
        ("wo_for_ga", "ねこが すきです"),
    ]


def test_at_most_three_findings_are_returned() -> None:
    findings = analyse("ねこを すきです。たかいでした。がくせいだです。たべますです")
    assert len(findings) == 3
    assert all(isinstance(f, Finding) for f in findings)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "Hello, how are you?", "1234", "!!!", "😀", "안녕하세요"])
def test_empty_or_non_japanese_input_gives_nothing(text: str) -> None:
    assert analyse(text) == []


def test_random_unicode_never_raises() -> None:
    rng = random.Random(20261104)
    alphabet = (
        [chr(c) for c in range(0x20, 0x3100)]
        + list("はをがにでですますた。！？ \n\t")
        + ["\x00", "\ufeff", "\ud800", "🎌"]
    )
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for finding in analyse(text):
            assert finding.original in text
