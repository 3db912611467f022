"""The scenario engine on its own: a script, a state and a learner turn in; a reply and the new state out."""

import pytest
import yaml
from django.conf import settings

from language.japanese.dictionary import lookup
from partner.scenarios.engine import (
    ScenarioState,
    Target,
    scenario_build,
    scenario_goals,
    scenario_goals_apply,
    scenario_hints,
    scenario_reply,
)
from partner.scenarios.words import say_query
from templates.loader import template_sources_read
from templates.schema import template_content_validate


@pytest.fixture(scope="module")
def casual():
    path = settings.BASE_DIR / "content" / "templates" / "japanese" / "beginner" / "casual.yaml"
    content = template_content_validate(
        data={"slug": "casual", **yaml.safe_load(path.read_text())}, language="japanese"
    )
    return scenario_build(script=content.script, language="japanese", persona_name=content.persona.name)


CAFE = {
    "slug": "cafe",
    "title": "At a café",
    "topic": "food",
    "description": "Order a drink.",
    "persona": {"name": "Lucía", "role": "Waiter", "style": "Friendly"},
    "system_prompt": "You are Lucía.",
    "starter_turns": [{"speaker": "partner", "text": "¡Hola! ¿Cómo te llamas?"}],
    "script": {
        "goals": [
            {"id": "name", "text": "Say your name"},
            {"id": "order", "text": "Order a drink"},
            {"id": "ask", "text": "Ask a question"},
        ],
        "asked_goal": "ask",
        "facts": [
            {"ask": ["precio|costar|cuánto"], "answer": ["El café cuesta dos euros."]},
            {"ask": ["llamar|nombre"], "answer": ["Me llamo Lucía."]},
        ],
        "beats": [
            {
                "id": "name",
                "goal": "name",
                "say": ["¿Cómo te llamas?", "¿Cuál es tu nombre?"],
                "listen": ["me llamar {name}", "ser {name}", "nombre ser {name}"],
                "react": ["¡Encantada, {name}!", "¡Encantada!"],
                "rephrase": ["¿Tu nombre?"],
                "hints": [
                    {"text": "Me llamo Ana.", "translation": "My name is Ana."},
                    {"text": "Soy Tom.", "translation": "I'm Tom."},
                ],
                "answer": ["Yo me llamo Lucía."],
            },
            {
                "id": "order",
                "goal": "order",
                "say": ["{name}, ¿qué quieres tomar?", "¿Qué quieres tomar?"],
                "listen": ["querer {drink}", "{drink} por favor"],
                "react": ["Un {drink}, muy bien.", "Muy bien."],
                "rephrase": ["¿Café o té?"],
                "hints": [
                    {"text": "Quiero un café, por favor.", "translation": "I'd like a coffee, please."},
                    {"text": "Un té, por favor.", "translation": "A tea, please."},
                ],
                "answer": ["Yo tomo un café."],
            },
        ],
        "closing": ["¡Gracias, {name}! Hasta luego.", "¡Gracias! Hasta luego."],
    },
}


def cafe():
    content = template_content_validate(data=CAFE, language="spanish")
    return scenario_build(script=content.script, language="spanish", persona_name=content.persona.name)


def conversation(scenario, *turns, state=None, lookup=None):
    state = state or ScenarioState()
    replies = []
    for text in turns:
        reply = scenario_reply(scenario=scenario, state=state, text=text, lookup=lookup)
        state = reply.state
        replies.append(reply)
    return replies, state


def test_the_partner_names_what_the_learner_said_and_moves_on():
    # when the learner gives their name
    (reply,), state = conversation(cafe(), "Hola, me llamo Marta.")
    # then the partner greets them by it and asks the next beat's question, using it again
    assert reply.text == "¡Encantada, Marta! Marta, ¿qué quieres tomar?"
    assert (state.slots, reply.reached, state.beat) == ({"name": "Marta"}, ["name"], 1)


def test_the_scenario_closes_and_says_so():
    # when the learner answers both beats, then has nothing to ask
    replies, state = conversation(cafe(), "Soy Marta.", "Quiero un té.", "No, gracias.")
    # then the partner reacts to the drink and invites a question (a goal is still open)
    assert replies[1].text == "Un té, muy bien. ¿Quieres preguntarme algo?" and not replies[1].finished
    # and then closes with the learner's name and says the practice is over
    assert replies[-1].text == "¡Gracias, Marta! Hasta luego. Aquí termina nuestra práctica de hoy."
    assert replies[-1].finished and state.finished
    assert [g["reached"] for g in scenario_goals(scenario=cafe(), state=state)] == [True, True, False]


def test_the_question_the_partner_invites_is_answered_before_the_closing():
    # when the learner answers both beats, then asks the price when invited
    replies, state = conversation(cafe(), "Soy Marta.", "Quiero un té.", "¿Cuánto cuesta?")
    # then the partner answers, closes, and every goal is reached
    assert replies[-1].lines == [
        "El café cuesta dos euros.",
        "¡Gracias, Marta! Hasta luego.",
        "Aquí termina nuestra práctica de hoy.",
    ]
    assert replies[-1].reached == ["ask"] and state.finished
    assert [g["reached"] for g in scenario_goals(scenario=cafe(), state=state)] == [True, True, True]


def test_a_turn_that_does_not_fit_gets_a_rephrase_then_a_hint_then_the_partner_moves_on():
    # when the learner says three things that answer nothing
    replies, state = conversation(cafe(), "Mmm.", "No sé.", "Eh...")
    # then a simpler question, then a hint to copy, then the next question: never the same line again
    assert replies[0].text == "¿Tu nombre?"
    assert replies[1].text == "Por ejemplo, puedes decir: «Me llamo Ana»"
    assert replies[2].text == "No pasa nada. Sigamos. ¿Qué quieres tomar?"
    assert (state.beat, state.reached) == (1, [])


def test_a_question_is_answered_from_the_facts_then_the_question_is_asked_again_in_other_words():
    # when the learner asks the price instead of answering
    (reply,), state = conversation(cafe(), "¿Cuánto cuesta un café?")
    # then the partner answers from its facts and asks its question again, in words the opening did not use
    assert reply.text == "El café cuesta dos euros. ¿Cuál es tu nombre?"
    assert state.reached == ["ask"] and state.misses == 0


def test_a_question_no_fact_answers_may_answer_the_current_beat():
    # given the partner asks what the learner wants to drink
    _, state = conversation(cafe(), "Soy Marta.")
    # when the learner asks for a tea as a question, which no fact answers
    (reply,), state = conversation(cafe(), "¿Me pones un té, por favor?", state=state)
    # then the question answers the beat, as "Un té, por favor." would
    assert reply.text.startswith("Un té, muy bien.")
    assert "order" in state.reached and reply.lines[-1] == "¿Quieres preguntarme algo?"


def test_a_question_a_fact_answers_leaves_the_current_beat_open():
    # given the partner asks what the learner wants to drink
    _, state = conversation(cafe(), "Soy Marta.")
    # when the learner asks the price of a coffee
    (reply,), state = conversation(cafe(), "¿Cuánto cuesta un café, por favor?", state=state)
    # then the fact answers it and the drink is still to be chosen
    assert reply.text.startswith("El café cuesta dos euros.")
    assert "order" not in state.done and state.beat == 1


def test_asked_back_the_partner_gives_its_own_answer():
    (reply,), _ = conversation(cafe(), "Me llamo Marta, ¿y tú?")
    assert reply.text == "¡Encantada, Marta! Yo me llamo Lucía. Marta, ¿qué quieres tomar?"


def test_the_partner_never_takes_its_own_name_for_the_learners():
    # when the learner says the partner's name in a sentence that looks like an introduction
    (reply,), state = conversation(cafe(), "Soy Lucía.")
    # then it is not taken as the learner's name
    assert "name" not in state.slots and "Lucía" not in reply.text.replace("Me llamo Lucía", "")


def test_japanese_asking_back_is_not_an_introduction(casual):
    # given Yuki asked for the learner's name; when the learner asks hers back
    (reply,), state = conversation(casual, "ゆきさんは？")
    # then Yuki says her own name and nobody is called ゆきさん
    assert reply.text.startswith("わたしは ゆきです。")
    assert "name" not in state.slots and "ゆきさん" not in reply.text


def test_two_answers_in_one_turn_do_two_beats(casual):
    (reply,), state = conversation(casual, "アイコです。カナダから来ました。")
    assert reply.text.startswith("アイコさん、はじめまして！カナダですか！いいですね。")
    assert state.reached == ["name", "home"] and state.beat == 2


def test_one_sentence_answers_one_beat(casual):
    # "アイコです" is a name; the job beat's "{job} です" must not take it too
    _, state = conversation(casual, "私はアイコです。")
    assert state.done == ["name"]


def test_no_line_is_said_twice_however_long_the_learner_wanders():
    replies, _ = conversation(cafe(), *["¿Qué?"] * 20)
    lines = [line for reply in replies for line in reply.lines]
    assert len(lines) == len(set(lines))


def test_hints_are_the_current_beats_and_none_after_the_end():
    scenario = cafe()
    assert [h["text"] for h in scenario_hints(scenario=scenario, state=ScenarioState())] == [
        "Me llamo Ana.",
        "Soy Tom.",
    ]
    _, state = conversation(scenario, "Soy Marta.", "Un café, por favor.")
    assert scenario_hints(scenario=scenario, state=state) == []


def test_goals_reported_by_another_judge_move_past_their_beats():
    state = scenario_goals_apply(scenario=cafe(), state=ScenarioState(), goal_ids=["name", "bogus"])
    assert (state.reached, state.beat) == (["name"], 1)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("How do I say cat?", "cat"),
        ("what's 'station' in Japanese?", "station"),
        ("How would you say “to eat” in Japanese", "eat"),
        ("What is the Japanese word for train?", "train"),
        ("catは日本語で何ですか", "cat"),
        ("I like cats", None),
        ("ねこが好きです", None),
    ],
)
def test_how_do_i_say_questions_are_recognised(text, query):
    assert say_query(text, "japanese") == query


def test_how_do_i_say_gets_the_word_and_the_conversation_goes_on(casual):
    # when the learner asks how to say cat, in English
    (reply,), state = conversation(casual, "How do I say cat?", lookup=lookup)
    # then the word comes from the dictionary, kana first, then its kanji; and Yuki asks her question again
    assert (
        reply.text
        == "「cat」は にほんごで「ねこ」です。かんじでは「猫」と かきます。わたしは ゆきです。あなたの なまえは？"
    )
    assert state.beat == 0 and state.misses == 0


def test_a_word_the_dictionary_does_not_know_is_said_plainly(casual):
    (reply,), _ = conversation(casual, "How do I say qwzrtx?", lookup=lookup)
    assert reply.text == "すみません、「qwzrtx」は じしょに ありません。わたしは ゆきです。あなたの なまえは？"


def shipped(path):
    content = SHIPPED[path].content
    return scenario_build(script=content.script, language=SHIPPED[path].language, persona_name=content.persona.name)


SHIPPED = {
    source.source_path: source for source in template_sources_read(root=settings.BASE_DIR / "content" / "templates")
}


def test_an_answer_to_a_later_question_is_kept_acknowledged_and_not_asked_again(casual):
    # when, asked for their name, the learner says where they are from
    (early, named), state = conversation(casual, "カナダから来ました。", "アイコです。")
    # then Yuki names the place, asks the name again in other words, and after the name skips the hometown
    assert early.lines == ["カナダですか！いいですね。", "わたしは ゆきです。あなたの なまえは？"]
    assert early.reached == ["home"] and state.slots["place"] == "カナダ"
    assert named.lines == ["アイコさん、はじめまして！", "おしごとは なんですか。がくせいですか。"]
    assert state.reached == ["home", "name"]


def test_a_drink_ordered_while_still_being_greeted_is_the_drink_not_the_meal():
    # given the restaurant, where the waiter asks how many first; when the learner asks for tea at once
    (reply,), state = conversation(shipped("japanese/beginner/restaurant.yaml"), "お茶をください")
    # then the tea is the drink, the waiter says so and asks how many again; the meal is still to order
    assert reply.lines == ["お茶ですね。すぐ もって きます。", "なんめいさまでしょうか。"]
    assert state.slots == {"drink": "お茶"} and state.done == ["drink"] and state.beat == 0


@pytest.mark.parametrize(
    ("turn", "place"),
    [
        ("きんかくじに いきたいです", "きんかくじ"),
        ("わたしはきんかくじにいきたいです", "きんかくじ"),
        ("きよみずでらへ いきたい", "きよみずでら"),
    ],
)
def test_a_kana_place_name_is_taken_whole(turn, place):
    (reply,), state = conversation(shipped("japanese/beginner/travel.yaml"), turn)
    assert state.slots["destination"] == place
    assert reply.lines[0] == f"{place}ですね。いいですね。"


def test_a_kana_word_is_the_scripts_word_written_in_kanji():
    travel = shipped("japanese/beginner/travel.yaml")
    _, finished = conversation(travel, "じゃあ、また")
    # asked in kana or in kanji, the same fact answers
    (kana,), _ = conversation(travel, "きんかくじは なんじからですか", state=finished)
    (kanji,), _ = conversation(travel, "金閣寺は何時からですか", state=finished)
    assert kana.lines[0] == kanji.lines[0] == "きんかくじは あさ 9じから ゆうがた 5じまでです。はいるのは 500えんです。"


@pytest.mark.parametrize("question", ["なんばんの バスですか", "何番のバスですか"])
def test_which_bus_asked_in_kana_or_kanji_gets_the_205_and_counts_for_asking_the_way(question):
    travel = shipped("japanese/beginner/travel.yaml")
    _, state = conversation(travel, "金閣寺へ行きたいです。")
    (reply,), state = conversation(travel, question, state=state)
    assert reply.lines == ["きんかくじへは 205ばんの バスです。", "バスは えきの まえから でます。"]
    assert "how" in state.done


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("ここはどこですか。", "ここは きょうとえきです。"),
        ("バス乗り場はどこですか。", "バスのりばは えきの まえです。"),
        ("何分ぐらいかかりますか。", "きんかくじまで バスで 40ぷんぐらいです。"),
        ("バスはいくらですか。", "バスは おとな 230えんです。"),
    ],
)
def test_the_kyoto_counter_answers_the_way_to_kinkakuji_at_any_time(question, answer):
    # given the traveller already said goodbye; the facts still answer
    travel = shipped("japanese/beginner/travel.yaml")
    _, state = conversation(travel, "さようなら")
    (reply,), _ = conversation(travel, question, state=state)
    assert reply.lines[0].startswith(answer)


@pytest.mark.parametrize("goodbye", ["じゃあ、また", "さようなら", "またね", "それじゃ", "さようなら、ゆきさん。"])
def test_a_goodbye_closes_the_scenario_politely(casual, goodbye):
    # given the learner told their name; when they say goodbye
    (_, reply), state = conversation(casual, "アイコです。", goodbye)
    # then Yuki says goodbye too and the practice is over
    assert reply.lines == [
        "はい、さようなら。きょうは ありがとう ございました。",
        "これで きょうの れんしゅうは おわりです。",
    ]
    assert reply.finished and state.finished


def test_after_the_goodbye_the_partner_answers_briefly_never_echoes_and_never_repeats(casual):
    # given the scenario closed with a goodbye; when the learner goes on writing
    turns = ["さようなら", "はい", "そうですね", "またね", "ええと", "さようなら"] + ["はい"] * 20
    replies, state = conversation(casual, *turns)
    after = [reply.text for reply in replies[1:]]
    # then every reply is short and new, and none repeats the learner
    assert all(text and len(text) <= 40 for text in after)
    assert len(after) == len(set(after))
    assert not any(turn in text for turn, text in zip(turns[1:], after, strict=True) if turn != "はい")
    assert state.finished


def test_thanks_mid_scenario_is_welcomed_and_the_question_comes_again_in_other_words(casual):
    # given Yuki asked where the learner is from
    (named,), state = conversation(casual, "アイコです。")
    # when the learner says thank you
    (reply,), state = conversation(casual, "ありがとうございます。", state=state)
    # then Yuki says you're welcome and asks again, not in the same words
    assert reply.lines == ["どういたしまして。", "どこから きましたか。"]
    assert named.lines[-1] == "アイコさんは どこから きましたか。"
    assert state.beat == 1 and state.misses == 0


def test_a_first_hello_is_greeted_back_and_the_conversation_goes_on(casual):
    (reply,), state = conversation(casual, "こんにちは")
    assert reply.lines == ["こんにちは！", "わたしは ゆきです。あなたの なまえは？"]
    assert state.greeted and state.misses == 0


def test_a_hello_does_not_double_a_greeting_the_question_starts_with():
    (reply,), _ = conversation(shipped("japanese/beginner/train.yaml"), "こんにちは")
    assert reply.text == "こんにちは！どちらまで いきますか。"


def test_a_reply_written_again_says_another_variant_when_there_is_one(casual):
    # given the learner's name got a reply
    before = ScenarioState()
    (first,), _ = conversation(casual, "アイコです。", state=before)
    # when the same turn is answered again, avoiding the lines of the first reply
    again = scenario_reply(
        scenario=casual, state=before, text="アイコです。", avoid=set(first.state.used) - set(before.used)
    )
    # then it reacts and asks in other words, and moves on just the same
    assert again.text != first.text
    assert again.lines == ["アイコさんですね。よろしく おねがいします！", "どこから きましたか。"]
    assert again.state.reached == first.state.reached == ["name"]


def test_a_review_session_invites_the_learner_to_use_its_targets_and_praises_their_use(casual):
    targets = [Target(text="学生"), Target(text="わたしは", kind="mistake")]
    state, replies = ScenarioState(), []
    for turn in ["アイコです。", "がくせいです。", "カナダから来ました。", "わたしは カナダ人です。"]:
        reply = scenario_reply(scenario=casual, state=state, text=turn, targets=targets)
        state = reply.state
        replies.append(reply.lines)
    # the name is answered, then Yuki asks for a sentence with the due word before her next question
    assert replies[0] == [
        "アイコさん、はじめまして！",
        "『学生』を つかって、じぶんの ことを ひとつ おしえて ください。",
    ]
    # がくせい is 学生 said in kana: praised, and the script goes on
    assert replies[1] == ["『学生』、じょうずに つかえましたね！", "アイコさんは どこから きましたか。"]
    assert replies[2][-1].startswith("まえに『わたしは』を れんしゅうしましたね。")
    assert replies[3][0] == "いいですね！『わたしは』が ただしく つかえました。"
    assert state.practised == ["学生", "わたしは"]


@pytest.mark.parametrize(
    ("path", "turns", "said", "done"),
    [
        # ordered "to take away" with the drink: kept, and the drink is the tea, not "llevar"
        ("spanish/beginner/cafe.yaml", ["Buenos días. Para llevar, por favor. Un té."], "¡Un té, marchando!", "here"),
        # the job told before being asked, in English and in Spanish
        ("english/beginner/small-talk.yaml", ["Hi, I'm Tom", "I'm a teacher"], "I'm a nurse myself.", "work"),
        ("spanish/beginner/small-talk.yaml", ["Me llamo Pedro.", "Soy ingeniero."], "Yo soy maestra.", "work"),
    ],
)
def test_spanish_and_english_answers_ahead_are_kept(path, turns, said, done):
    replies, state = conversation(shipped(path), *turns)
    assert said in replies[-1].text
    assert done in state.done


def test_i_dont_know_is_no_weekend_plan_and_where_do_you_live_is_not_about_work():
    small_talk = shipped("english/beginner/small-talk.yaml")
    _, state = conversation(small_talk, "I'm Tom.", "I'm from Leeds.", "I'm a student.", "I like films.")
    (unsure, asked), state = conversation(small_talk, "I don't know.", "Where do you live?", state=state)
    assert "plans" not in state.done and unsure.lines == ["What are you doing on Saturday?"]
    assert asked.lines[0] == "I live in Manchester, near the city centre."


def test_a_bare_no_thanks_about_a_later_question_is_not_the_answer_to_this_one():
    # given the clerk asks whether to heat the bento; when the learner says they need no bag
    (reply,), state = conversation(shipped("japanese/beginner/konbini.yaml"), "ふくろは いりません")
    # then that is the bag question answered, and the bento question is still open
    assert state.done == ["bag"] and state.beat == 0
    assert reply.lines == ["はい、わかりました。おはしも いれますね。", "こちらの おべんとうは あたためますか。"]


def test_a_goodbye_on_the_last_question_closes_in_the_scenarios_own_words():
    travel = shipped("japanese/beginner/travel.yaml")
    at_thanks = ScenarioState(beat=5, done=[beat.id for beat in travel.beats[:5]])
    (reply,), state = conversation(travel, "じゃあ", state=at_thanks)
    assert reply.lines == [
        "いってらっしゃい。きょうとを たのしんで くださいね。",
        "これで きょうの れんしゅうは おわりです。",
    ]
    assert state.finished


def test_a_number_written_in_kana_before_its_counter_is_understood():
    # given the hotel clerk asked how many nights; when the learner answers in kana
    _, state = conversation(shipped("japanese/beginner/hotel.yaml"), "スミスです。")
    (reply,), state = conversation(shipped("japanese/beginner/hotel.yaml"), "にはくです", state=state)
    assert "nights" in state.done and reply.reached == ["nights"]


@pytest.mark.parametrize(
    ("path", "turns", "done", "slots"),
    [
        # asked for a name, the learner says how many they are: that is the party, not a name
        ("japanese/beginner/phone.yaml", ["よやくを したいです", "どようびの しちじに", "ふたりです"], "people", {}),
        # asked for a name, the learner says they are a student: that is their job, not a name
        ("japanese/beginner/casual.yaml", ["がくせいです"], "work", {}),
        # asked for a colour, the learner asks for size M: the size, not a colour called M
        ("japanese/beginner/shopping.yaml", ["Tシャツをさがしています。", "Mサイズを ください"], "size", {"size": "M"}),
    ],
)
def test_a_sentence_that_names_a_later_questions_thing_is_not_taken_for_this_ones_slot(path, turns, done, slots):
    _, state = conversation(shipped(path), *turns)
    assert done in state.done
    assert slots.items() <= state.slots.items()
    assert "name" not in state.slots and "colour" not in state.slots


def test_good_night_is_said_back():
    (_, reply), state = conversation(shipped("japanese/beginner/introductions.yaml"), "エマです。", "おやすみなさい")
    assert reply.lines == ["おやすみなさい。", "これで きょうの れんしゅうは おわりです。"] and state.finished


@pytest.mark.parametrize("question", ["げんき？", "おげんきですか。", "元気ですか", "ゆきさん、げんきですか？"])
def test_how_are_you_is_answered_and_the_question_comes_again(casual, question):
    # when, asked for their name, the learner asks how Yuki is
    (reply,), state = conversation(casual, question)
    # then Yuki says she is fine and asks for the name again, in other words; げんき is nobody's name
    assert reply.lines == ["げんきです！ありがとう。", "わたしは ゆきです。あなたの なまえは？"]
    assert "name" not in state.slots and state.misses == 0


@pytest.mark.parametrize(("hello", "back"), [("やあ", "やあ！"), ("おはよう", "おはようございます！")])
def test_a_casual_hello_is_greeted_back(casual, hello, back):
    (reply,), state = conversation(casual, hello)
    assert reply.lines == [back, "わたしは ゆきです。あなたの なまえは？"] and state.greeted


def test_a_question_left_unanswered_comes_back_plainly_and_a_sample_only_when_the_learner_seems_stuck(casual):
    # when the learner greets, asks how Yuki is and talks about a film, never saying their name
    (_, fine, film, stuck), state = conversation(
        casual, "やあ", "げんき？", "うん、げんき。きのう えいがを みた", "たのしかった"
    )
    # then Yuki asks the name again in plain words each time, with no sample sentence to copy
    assert fine.lines == ["げんきです！ありがとう。", "ところで、おなまえは なんですか。"]
    assert film.lines == ["えいがですか！いいですね。", "もう いちど ききますね。おなまえは なんですか。"]
    # and only a turn she cannot use gets a sample answer
    assert stuck.lines[0].startswith("たとえば「アレックスです。") and "name" not in state.done


def test_by_the_way_comes_before_a_question_in_small_letters_unless_it_starts_with_a_name():
    small_talk = shipped("english/beginner/small-talk.yaml")
    (_, _, asked), _ = conversation(small_talk, "Hello", "What?", "I like tea")
    assert asked.lines == ["Oh, tea! Nice.", "By the way, what's your name?"]


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("I study music", "Oh, music! Nice."),
        ("I play football.", "Oh, football! Nice."),
        ("I like reading and cooking.", "Oh, reading and cooking! Nice."),
    ],
)
def test_a_free_time_activity_is_captured_and_named(answer, said):
    small_talk = shipped("english/beginner/small-talk.yaml")
    _, state = conversation(small_talk, "I'm Tom.", "I'm from Leeds.", "I'm a student.")
    (reply,), state = conversation(small_talk, answer, state=state)
    assert reply.lines == [said, "Any plans for the weekend?"] and "like" in state.done


@pytest.mark.parametrize(
    ("order", "drink"),
    [
        ("Un café con leche, por favor.", "café con leche"),
        ("Quería un café solo.", "café solo"),
        ("Un té verde, por favor.", "té verde"),
        ("Hola. Un zumo de naranja, por favor.", "zumo de naranja"),
        # first in the sentence, the drink is still said in small letters
        ("Té verde, por favor.", "té verde"),
    ],
)
def test_the_drink_is_the_learners_whole_order(order, drink):
    (reply,), state = conversation(shipped("spanish/beginner/cafe.yaml"), order)
    assert state.slots["drink"] == drink and f"Un {drink}, marchando" in reply.text


@pytest.mark.parametrize("ask", ["おかいけい、おねがいします", "おかいけいを おねがいします。"])
def test_the_bill_asked_for_in_kana_with_its_polite_prefix_is_the_bill(ask):
    restaurant = shipped("japanese/beginner/restaurant.yaml")
    at_the_bill = ScenarioState(beat=4, done=["party", "order", "drink", "meal"])
    (reply,), state = conversation(restaurant, ask, state=at_the_bill)
    assert "bill" in state.done and "bill" in reply.reached
    assert reply.lines[-1] == "1,000えん ちょうど いただきます。レシートです。"


def test_the_way_given_is_to_the_place_the_learner_asked_for():
    (_, _, route), _ = conversation(
        shipped("japanese/beginner/directions.yaml"), "すみません", "えきは どこですか？", "まっすぐですね"
    )
    assert route.lines[-1] == "えきは ぎんこうの となりに あります。"


def test_the_partners_weekend_plan_stays_the_same_after_he_told_it():
    # given Kenta said he plays futsal on Saturday; when the learner tells their own plan
    (_, told, reply), _ = conversation(
        shipped("japanese/beginner/weekend.yaml"), "土曜日に 山に 行きました", "あなたは？", "日曜日は 家で やすみます"
    )
    assert told.lines[0] == "ぼくは どようびに フットサルを します。"
    # then his reaction does not change his plan or say he has none
    assert "サッカー" not in reply.text and "まだ わかりません" not in reply.text


def test_the_doctor_does_not_call_a_stomach_ache_a_cold_or_look_in_the_mouth():
    replies, _ = conversation(
        shipped("japanese/beginner/doctor.yaml"),
        "すみません、おなかが いたいです",
        "きょうの あさから です",
        "はい、すこし あります",
    )
    said = "".join(reply.text for reply in replies)
    assert "かぜ" not in said and "くち" not in said and "のど" not in said
    assert replies[-1].lines[-1].startswith("しんぱい ありませんよ。くすりを だします。")


@pytest.mark.parametrize("answer", ["アレックス", "わたしは アレックス。", "アレックス！"])
def test_a_name_given_without_desu_is_the_name(casual, answer):
    (reply,), state = conversation(casual, answer)
    assert state.slots["name"] == "アレックス" and reply.reached == ["name"]
    assert reply.lines[0] == "アレックスさん、はじめまして！"


@pytest.mark.parametrize("answer", ["カナダ", "カナダです。"])
def test_a_country_given_on_its_own_is_where_the_learner_is_from(casual, answer):
    (_, reply), state = conversation(casual, "アレックスです。", answer)
    assert state.slots["place"] == "カナダ" and reply.reached == ["home"]
    assert reply.lines[0] == "カナダですか！いいですね。"


def test_doumo_is_hello_at_the_start_and_thanks_once_the_conversation_is_under_way():
    konbini = shipped("japanese/beginner/konbini.yaml")
    (hello, _, thanks), _ = conversation(konbini, "どうも", "はい", "どうも")
    assert hello.lines[0] == "どうも、こんにちは！"
    assert thanks.lines[0] == "ありがとう ございます。" and "こんにちは" not in thanks.text


@pytest.mark.parametrize(
    ("path", "turn", "lines"),
    [
        (
            "english/beginner/small-talk.yaml",
            "Hello! How are you?",
            ["Hi!", "I'm fine, thanks!", "I'm Sam. And you are?"],
        ),
        (
            "english/beginner/small-talk.yaml",
            "How's it going?",
            ["I'm fine, thanks!", "I'm Sam. And you are?"],
        ),
        ("spanish/beginner/cafe.yaml", "Hola, ¿qué tal?", ["¡Hola!", "¡Muy bien, gracias!", "¿Qué vas a tomar?"]),
        (
            "japanese/beginner/casual.yaml",
            "こんにちは！おげんきですか？",
            ["こんにちは！", "げんきです！ありがとう。", "わたしは ゆきです。あなたの なまえは？"],
        ),
    ],
)
def test_how_are_you_is_answered_in_every_language_after_the_hello(path, turn, lines):
    (reply,), _ = conversation(shipped(path), turn)
    assert reply.lines == lines


def test_the_price_asked_early_and_a_thank_you_reach_the_goal_they_serve():
    # given the Kyoto counter; when the learner asks the price and thanks before those questions come
    travel = shipped("japanese/beginner/travel.yaml")
    turns = ("こんにちは", "きんかくじに いきたいです", "なんばんの バスですか", "いくらですか", "ありがとう")
    replies, state = conversation(travel, *turns)
    # then the thanks does the beat that listens for it, and the goal of asking the price and thanking is reached
    assert replies[-1].reached == ["price"]
    assert {"price", "thanks"} <= set(state.done) and "price" in state.reached


@pytest.mark.parametrize(
    "path",
    [
        "japanese/beginner/konbini.yaml",
        "japanese/beginner/hotel.yaml",
        "japanese/beginner/restaurant.yaml",
        "japanese/beginner/shopping.yaml",
        "japanese/beginner/phone.yaml",
    ],
)
def test_staff_answer_a_thank_you_by_thanking_the_customer(path):
    # when the customer thanks the staff, at the start and again after the goodbye
    scenario = shipped(path)
    (first,), state = conversation(scenario, "ありがとう")
    _, state = conversation(scenario, "さようなら", state=state)
    (after,), _ = conversation(scenario, "ありがとう ございました", state=state)
    # then the staff thank the customer back, never "you're welcome"
    for reply in (first, after):
        assert reply.lines[0].startswith(("ありがとう", "こちらこそ", "どうも ありがとう")), reply.lines
        assert "どういたしまして" not in reply.text


@pytest.mark.parametrize(
    ("path", "turns", "slots", "said"),
    [
        # asking for the menu orders no meal: the waiter hands it over
        (
            "japanese/beginner/restaurant.yaml",
            ("ひとりです", "メニューを ください"),
            {"party": "ひとり"},
            "はい、どうぞ。ていしょくは からあげ、てんぷら、やきざかな、とんかつです。",
        ),
        # a noodle dish is no drink
        (
            "japanese/beginner/restaurant.yaml",
            ("ひとりです", "天ぷら定食を ください", "ラーメンを ください"),
            None,
            None,
        ),
        # having watched TV is no destination
        ("japanese/beginner/travel.yaml", ("テレビを みました",), {}, None),
        # "together is fine" is no way of paying
        ("japanese/beginner/konbini.yaml", ("はい", "いっしょで いいです"), None, None),
        # toast is no drink
        ("spanish/beginner/cafe.yaml", ("Quiero una tostada, por favor.",), {}, None),
    ],
)
def test_a_slot_takes_only_the_words_it_accepts(path, turns, slots, said):
    replies, state = conversation(shipped(path), *turns)
    assert not {"drink", "destination", "payment"} & state.slots.keys()
    if slots is not None:
        assert state.slots == slots
    if said is not None:
        assert replies[-1].lines[0] == said


@pytest.mark.parametrize(
    ("path", "turns", "slot", "value"),
    [
        ("japanese/beginner/restaurant.yaml", ("ウーロン茶を ください",), "drink", "ウーロン茶"),
        ("japanese/beginner/travel.yaml", ("きんかくじを みたいです",), "destination", "きんかくじ"),
        ("japanese/beginner/travel.yaml", ("おおさかに いきたいです",), "destination", "おおさか"),
        ("spanish/beginner/cafe.yaml", ("Un café con leche, por favor.",), "drink", "café con leche"),
        ("japanese/beginner/konbini.yaml", ("はい", "げんきんで おねがいします"), "payment", "げんきん"),
    ],
)
def test_a_word_a_slot_accepts_is_taken_as_said(path, turns, slot, value):
    _, state = conversation(shipped(path), *turns)
    assert state.slots[slot] == value


def test_a_goodbye_ahead_of_its_beat_reaches_its_goal_and_still_closes():
    # given the neighbour, told the weather today and the favourite season before being asked about tomorrow
    weather = shipped("japanese/beginner/weather.yaml")
    _, state = conversation(weather, "こんにちは", "いい てんきですね", "なつが すきです")
    assert "season" in state.done and "bye" not in state.done
    # when the learner says goodbye
    (bye,), state = conversation(weather, "じゃあ、また", state=state)
    # then the goodbye does the last beat, reaches the season goal, and the scenario is over
    assert "season" in state.reached and state.finished and bye.finished
