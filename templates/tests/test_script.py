"""The scenario script in a template: what the seed command accepts and what it refuses, and why."""

import re

import pytest
import yaml
from django.conf import settings
from pydantic import ValidationError

from templates.schema import error_lines, template_content_validate
from templates.tests.conftest import template_data

DOCS = settings.BASE_DIR / "docs" / "templates.md"


def script(**overrides) -> dict:
    """A minimal valid Japanese script with one beat."""
    beat = {
        "id": "name",
        "goal": "name",
        "say": ["おなまえは なんですか。"],
        "listen": ["{name} です"],
        "react": ["{name}さん、はじめまして！", "はじめまして！"],
        "rephrase": ["あなたの なまえは？"],
        "hints": [
            {"text": "アレックスです。", "reading": "アレックスです。", "translation": "I'm Alex."},
            {"text": "マリアです。", "reading": "マリアです。", "translation": "I'm Maria."},
        ],
    }
    data = {
        "goals": [{"id": "name", "text": "Say your name"}],
        "beats": [{**beat, **overrides.pop("beat", {})}],
        "closing": ["またね！"],
    }
    return {**data, **overrides}


def problems(data: dict, language: str = "japanese") -> list[tuple[str, str]]:
    try:
        template_content_validate(data={"slug": "casual", **data}, language=language)
    except ValidationError as exc:
        return error_lines(exc)
    return []


def test_the_worked_example_in_the_docs_validates():
    # given the complete example of docs/templates.md
    block = re.search(r"### A complete example\s+```yaml\n(.*?)```", DOCS.read_text(), re.S).group(1)
    # when it is validated as a Japanese template
    content = template_content_validate(data={"slug": "konbini", **yaml.safe_load(block)}, language="japanese")
    # then it is a script of three beats whose goals stand in for the template's goals
    assert [beat.id for beat in content.script.beats] == ["food", "drink", "pay"]
    assert content.goals == [goal.text for goal in content.script.goals]
    assert content.row_fields()["script"]["asked_goal"] == "ask"


def test_lines_may_be_plain_text_or_carry_a_translation():
    # given a beat whose say line is a mapping and whose other lines are plain text
    data = template_data(script=script(beat={"say": [{"text": "おなまえは？", "translation": "Your name?"}]}))
    # when validated
    content = template_content_validate(data={"slug": "casual", **data}, language="japanese")
    # then both forms become lines
    beat = content.script.beats[0]
    assert (beat.say[0].translation, beat.react[1].text) == ("Your name?", "はじめまして！")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"beat": {"goal": "nope"}}, "script", "beats.0.goal: 'nope' is not one of the goals' ids"),
        ({"beat": {"react": ["{place}ですね。"]}}, "script.beats.0.react", "At least one variant must use no {slot}"),
        (
            {"beat": {"react": ["{place}ですね。", "はい。"]}},
            "script",
            "beats.0.react.0: {place} is not captured by this or an earlier beat",
        ),
        ({"beat": {"listen": ["{Name} です"]}}, "script.beats.0.listen", "pattern 0: '{Name}': a slot is a lowercase"),
        ({"beat": {"listen": ["... です"]}}, "script.beats.0.listen", "pattern 0: '...' goes between words"),
        (
            {"beat": {"hints": [{"text": "はい。", "translation": "Yes."}] * 2}},
            "script.beats.0.hints.0.reading",
            "Field",
        ),
        ({"goals": [{"id": "name", "text": "a"}, {"id": "name", "text": "b"}]}, "script", "goals: id 'name' is used"),
        ({"asked_goal": "ask"}, "script", "asked_goal.goal: 'ask' is not one of the goals' ids"),
        (
            {"beat": {"accept": {"place": ["東京"]}}},
            "script.beats.0",
            "accept: {place} is not captured by this beat's listen patterns",
        ),
        ({"beat": {"accept": {"name": ["アレックス|マリア"]}}}, "script.beats.0.accept", "name.0: one word or phrase"),
        ({"beat": {"accept": {"name": []}}}, "script.beats.0.accept.name", "List should have at least 1 item"),
        ({"thanks": ["{name}さん、ありがとう！"]}, "script.thanks", "At least one variant must use no {slot}"),
    ],
)
def test_a_broken_script_is_refused_naming_the_field(overrides, field, message):
    # given a template whose script has one mistake
    data = template_data(script=script(**overrides))
    # when validated
    found = problems(data)
    # then the error names the field and says what is wrong
    assert any(path == field and text.startswith(message) for path, text in found), found


def test_a_say_line_cannot_use_the_slot_its_own_beat_captures():
    # given a question that uses the answer it asks for
    data = template_data(script=script(beat={"say": ["{name}さん？", "おなまえは？"]}))
    # then it is refused: the learner has not said it yet
    assert ("script", "beats.0.say.0: {name} is not captured by this or an earlier beat") in problems(data)


def test_goals_come_from_the_script_when_left_out():
    # given a scripted template with no top-level goals
    data = {key: value for key, value in template_data(script=script()).items() if key != "goals"}
    # when validated
    content = template_content_validate(data={"slug": "casual", **data}, language="japanese")
    # then its goals are the script's goal texts
    assert content.goals == ["Say your name"]


def test_a_template_without_goals_or_script_is_refused():
    data = {key: value for key, value in template_data().items() if key != "goals"}
    assert ("goals", "List should have at least 1 item") in problems(data)
