"""Properties every shipped scenario script must have, checked by playing each one through the engine."""

import math
import re

import pytest
from django.conf import settings

from language.japanese import analyse
from language.tokens import pattern_compile, tokenise
from partner.scenarios.engine import ScenarioState, scenario_build, scenario_reply
from partner.scenarios.phrases import SPOKEN
from templates.loader import template_sources_read

SOURCES = {
    source.source_path: source
    for source in template_sources_read(root=settings.BASE_DIR / "content" / "templates")
    if source.content.script
}
WANDER = {"japanese": ["えっと…", "うーん。", "ええと。"], "default": ["Hmm.", "Mmm...", "Eh."]}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_QUOTED = re.compile(r"「[^」]*」|«[^»]*»|“[^”]*”|\"[^\"]*\"|„[^“]*“")
_STOPWORDS = {
    "english": "the a is are you your i to and of what do in it my me for how that this",
    "spanish": "el la los las es son tú tu yo de que qué y en un una mi por para cómo te no lo a muy cuando me ha",
    "french": "le la les est tu toi je de que et en un une mon ma pour comment te",
    "german": "der die das ist du ich und zu in ein eine mein wie was für dich mit dir hat",
    "italian": "il la le è tu io di che e in un una mio per come ti a quando",
    "portuguese": "o a os as é você eu de que e em um uma meu para como te por não muito",
}


def scenario_of(source):
    content = source.content
    return scenario_build(script=content.script, language=source.language, persona_name=content.persona.name)


def play(scenario, turns, state=None):
    state = state or ScenarioState()
    replies = []
    for text in turns:
        reply = scenario_reply(scenario=scenario, state=state, text=text)
        state = reply.state
        replies.append(reply)
    return replies, state


def learner_turns(source) -> list[str]:
    return [turn.text for turn in source.content.starter_turns if turn.speaker == "learner"]


def wander(language: str) -> list[str]:
    return WANDER.get(language, WANDER["default"])


def at_beat(scenario, index: int) -> ScenarioState:
    return ScenarioState(beat=index, done=[beat.id for beat in scenario.beats[:index]])


@pytest.fixture(params=sorted(SOURCES))
def source(request):
    return SOURCES[request.param]


def test_there_are_scripts_to_check():
    assert "japanese/beginner/casual.yaml" in SOURCES


def test_every_language_the_partner_speaks_has_a_small_talk_script():
    scripted = {source.language for source in SOURCES.values() if source.content.slug == "small-talk"}
    assert scripted == SPOKEN


def test_a_learner_following_the_starter_turns_reaches_half_the_goals(source):
    # when a learner says the template's own learner starter turns
    _, state = play(scenario_of(source), learner_turns(source))
    # then at least half the goals are reached
    goals = source.content.script.goals
    assert len(state.reached) >= math.ceil(len(goals) / 2), (state.reached, [goal.id for goal in goals])


def test_a_wandering_learner_gets_a_rephrase_then_a_hint_then_the_next_question(source):
    scenario = scenario_of(source)
    first = scenario.beats[0]
    # when the learner says three things that answer nothing
    replies, state = play(scenario, wander(source.language))
    # then a simpler question, then one of the beat's hints, then the partner moves on
    assert replies[0].lines[0] in [line.text for line in first.rephrase]
    assert any(hint.text.rstrip("。.") in replies[1].text for hint in first.hints), replies[1].text
    assert state.beat == 1 or state.finished
    assert replies[2].text != replies[1].text


def test_every_hint_sent_as_the_next_turn_answers_its_beat(source):
    scenario = scenario_of(source)
    for index, beat in enumerate(scenario.beats):
        for hint in beat.hints:
            # given the partner is on this beat; when the learner sends one of its hints
            _, state = play(scenario, [hint.text], state=at_beat(scenario, index))
            # then the beat is done
            assert beat.id in state.done, f"beat {beat.id}: hint {hint.text!r} does not fit its listen patterns"


@pytest.mark.parametrize("path", sorted(p for p in SOURCES if p.startswith("japanese/")))
def test_every_japanese_hint_is_free_of_checker_findings(path):
    for beat in SOURCES[path].content.script.beats:
        for hint in beat.hints:
            assert analyse(hint.text) == [], (beat.id, hint.text, analyse(hint.text))


def _session(scenario, source) -> list[str]:
    """A long, mixed session: the starter turns, hints, wandering, asking back, how-do-I-say; then past the end."""
    turns = []
    for index, beat in enumerate(scenario.beats):
        turns += [wander(source.language)[index % 3], "How do I say cat?"]
        turns.append(beat.hints[index % len(beat.hints)].text)
    return learner_turns(source) + turns + wander(source.language)


def test_no_line_is_said_twice_in_a_session(source):
    scenario = scenario_of(source)
    replies, _ = play(scenario, _session(scenario, source))
    lines = [line for reply in replies for line in reply.lines]
    repeated = {line for line in lines if lines.count(line) > 1}
    assert not repeated
    assert all(reply.text for reply in replies)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", _QUOTED.sub(" ", text).lower())


def test_replies_are_in_the_sessions_language(source):
    scenario = scenario_of(source)
    replies, state = play(scenario, _session(scenario, source))
    said = set(state.slots.values())
    for reply in replies:
        text = _QUOTED.sub("", reply.text)
        for value in said:
            text = text.replace(value, "")
        if source.language == "japanese":
            # Kana-first Japanese: kana in every reply, no Latin letters but the learner's own words.
            assert re.search(r"[\u3040-\u30ff]", text), reply.text
            assert not re.search(r"[A-Za-z]", text), reply.text
            continue
        assert not _JAPANESE.search(text), reply.text
        words = _words(text)
        if len(words) < 5 or source.language not in _STOPWORDS:
            continue
        score = {language: sum(word in stop.split() for word in words) for language, stop in _STOPWORDS.items()}
        # Short replies share function words across languages: a tie is no evidence of another language.
        assert score[source.language] == max(score.values()), (reply.text, score)


def _names_in(scenario, texts) -> set[str]:
    beats = [beat for beat in scenario.beats if "name" in beat.captures]
    found = set()
    for text in texts:
        for beat in beats:
            for source in beat.listen:
                captured = pattern_compile(source, scenario.language).match(tokenise(text, scenario.language))
                if captured and "name" in captured:
                    found.add(captured["name"])
    return found


ASKS_NAME = sorted(
    path for path, source in SOURCES.items() if any("name" in beat.captures for beat in source.content.script.beats)
)


def test_the_small_talk_scripts_ask_the_learners_name():
    assert {"japanese/beginner/small-talk.yaml", "japanese/beginner/casual.yaml"} <= set(ASKS_NAME)


@pytest.mark.parametrize("path", ASKS_NAME)
def test_the_partner_calls_the_learner_by_their_name_and_no_other(path):
    source = SOURCES[path]
    scenario = scenario_of(source)
    replies, state = play(scenario, _session(scenario, source))
    name = state.slots.get("name")
    # the name the learner gave is theirs, never the partner's own
    assert name and not any(word.lower() in scenario.persona_names for word in re.findall(r"\w+", name))
    # every other name in the script's examples stays out of the partner's mouth
    examples = [hint.text for beat in scenario.beats if "name" in beat.captures for hint in beat.hints]
    examples += learner_turns(source)
    others = _names_in(scenario, examples) - {name}
    # (what the partner quotes, a hint or the learner's own words, is not the partner calling anyone)
    text = " ".join(_QUOTED.sub("", reply.text) for reply in replies)
    assert not [other for other in others if other in text]
    assert name in text
    if source.language == "japanese":
        assert not re.search(r"(?:" + "|".join(scenario.persona_names) + r")さん", text)
