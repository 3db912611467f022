"""The template file schema: the one definition the seed command, the admin and docs/templates.md follow."""

import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from language.tokens import PatternInvalid, pattern_compile
from templates.models import Language, Mode, PreparationType

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# Scripts a beginner cannot sound out need a reading (kana, pinyin, romanisation) on every vocabulary hint.
READING_REQUIRED = frozenset({Language.JAPANESE, Language.CHINESE, Language.KOREAN})

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=50)]
PLACEHOLDER = re.compile(r"\{([a-z][a-z_]*)\}")


class _Strict(BaseModel):
    # A misspelt key is an error, not a silently ignored field.
    model_config = ConfigDict(extra="forbid")


class Persona(_Strict):
    """Who the AI partner plays."""

    name: Text
    role: Text
    style: Text
    background: Text | None = None


class StarterTurn(_Strict):
    """One line of the scripted start; the first partner turn opens the session."""

    speaker: Literal["partner", "learner"]
    text: Text
    reading: Text | None = None
    translation: Text | None = None


class VocabHint(_Strict):
    """A phrase worth knowing for the scenario."""

    phrase: Text
    reading: Text | None = Field(default=None, validate_default=True)
    translation: Text
    note: Text | None = None

    @field_validator("reading")
    @classmethod
    def _reading_for_hard_scripts(cls, value: str | None, info: ValidationInfo) -> str | None:
        language = (info.context or {}).get("language")
        if value is None and language in READING_REQUIRED:
            raise PydanticCustomError("missing", "Field required")
        return value


def _line_from_text(value):
    # A line is written as plain text, or as a mapping when it carries a translation.
    return {"text": value} if isinstance(value, str) else value


class Line(_Strict):
    """Something the partner says; `{slot}` is replaced by what the learner told it."""

    text: Text
    translation: Text | None = None

    @property
    def slots(self) -> set[str]:
        return set(PLACEHOLDER.findall(self.text))


Lines = Annotated[list[Annotated[Line, BeforeValidator(_line_from_text)]], Field(min_length=1)]


def _plain_variant(lines: list[Line]) -> list[Line]:
    # The engine needs one line it can say whatever it did not hear: one variant without slots.
    if all(line.slots for line in lines):
        raise PydanticCustomError("no_plain_line", "At least one variant must use no {slot}")
    return lines


class Hint(_Strict):
    """A reply the learner can send: correct, at the level, moving the scenario on."""

    text: Text
    translation: Text
    reading: Text | None = Field(default=None, validate_default=True)

    @field_validator("reading")
    @classmethod
    def _reading_for_hard_scripts(cls, value: str | None, info: ValidationInfo) -> str | None:
        language = (info.context or {}).get("language")
        if value is None and language in READING_REQUIRED:
            raise PydanticCustomError("missing", "Field required")
        return value


def _patterns_valid(value: list[str], info: ValidationInfo) -> list[str]:
    language = (info.context or {}).get("language") or "english"
    for index, source in enumerate(value):
        try:
            pattern_compile(source, language)
        except PatternInvalid as exc:
            raise PydanticCustomError(
                "pattern", "pattern {index}: {problem}", {"index": index, "problem": str(exc)}
            ) from exc
    return value


class ScriptGoal(_Strict):
    """Something the learner can do in the scenario, ticked when they do it."""

    id: Ident
    text: Text  # learner-facing, in English


class Fact(_Strict):
    """Something the partner can answer when the learner asks: about itself or the scenario's world."""

    ask: Annotated[list[Text], Field(min_length=1)]
    answer: Lines
    goal: Ident | None = None

    _patterns = field_validator("ask")(_patterns_valid)

    @field_validator("answer")
    @classmethod
    def _plain(cls, value: list[Line]) -> list[Line]:
        return _plain_variant(value)


class Beat(_Strict):
    """One step of the scenario: the partner asks, the learner answers, the partner reacts."""

    id: Ident
    goal: Ident
    say: Lines
    listen: Annotated[list[Text], Field(min_length=1)]
    react: Lines
    rephrase: Lines
    hints: Annotated[list[Hint], Field(min_length=2, max_length=3)]
    answer: list[Annotated[Line, BeforeValidator(_line_from_text)]] = []  # the partner's own answer, if asked back
    # Per slot, the words it may take (lemmas or spellings): a drink is one of the drinks, not the menu.
    accept: dict[Ident, Annotated[list[Text], Field(min_length=1)]] = {}

    _patterns = field_validator("listen")(_patterns_valid)

    @field_validator("accept")
    @classmethod
    def _accepted_words(cls, value: dict[str, list[str]], info: ValidationInfo) -> dict[str, list[str]]:
        language = (info.context or {}).get("language") or "english"
        for slot, words in value.items():
            for index, word in enumerate(words):
                try:
                    pattern = pattern_compile(word, language)
                except PatternInvalid as exc:
                    raise PydanticCustomError(
                        "pattern", "{slot}.{index}: {problem}", {"slot": slot, "index": index, "problem": str(exc)}
                    ) from exc
                if pattern.slots or "|" in word:
                    raise PydanticCustomError(
                        "pattern",
                        "{slot}.{index}: one word or phrase, no slot and no |",
                        {"slot": slot, "index": index},
                    )
        return value

    @model_validator(mode="after")
    def _accept_captured(self) -> "Beat":
        if unknown := sorted(self.accept.keys() - self.captures):
            raise PydanticCustomError(
                "slot",
                "accept: {slot} is not captured by this beat's listen patterns",
                {"slot": "{" + unknown[0] + "}"},
            )
        return self

    @field_validator("say", "react", "rephrase", "answer")
    @classmethod
    def _plain(cls, value: list[Line]) -> list[Line]:
        return _plain_variant(value) if value else value

    @property
    def captures(self) -> set[str]:
        return {slot for source in self.listen for slot in PLACEHOLDER.findall(source)}


class Script(_Strict):
    """What the offline partner follows: goals, beats in order, facts it can answer, a closing."""

    goals: Annotated[list[ScriptGoal], Field(min_length=1)]
    asked_goal: Ident | None = None  # reached when the learner asks the partner something it can answer
    facts: list[Fact] = []
    beats: Annotated[list[Beat], Field(min_length=1)]
    closing: Lines
    # The partner's reply to a thank-you, when not the language's "you're welcome": staff thank the customer.
    thanks: list[Annotated[Line, BeforeValidator(_line_from_text)]] = []

    @field_validator("closing", "thanks")
    @classmethod
    def _plain(cls, value: list[Line]) -> list[Line]:
        return _plain_variant(value) if value else value

    @model_validator(mode="after")
    def _references(self) -> "Script":
        goal_ids = [goal.id for goal in self.goals]
        _unique(goal_ids, "goals")
        _unique([beat.id for beat in self.beats], "beats")
        known = set(goal_ids)
        for where, goal in [
            *((f"beats.{i}", b.goal) for i, b in enumerate(self.beats)),
            *((f"facts.{i}", f.goal) for i, f in enumerate(self.facts) if f.goal),
            *([("asked_goal", self.asked_goal)] if self.asked_goal else []),
        ]:
            if goal not in known:
                raise PydanticCustomError(
                    "goal", "{where}.goal: '{goal}' is not one of the goals' ids", {"where": where, "goal": goal}
                )
        heard: set[str] = set()
        for index, beat in enumerate(self.beats):
            # A line may only use what the learner can have said by then: this beat's captures or earlier ones.
            heard |= beat.captures
            for field in ("say", "react", "rephrase", "answer"):
                for line_index, line in enumerate(getattr(beat, field)):
                    if unknown := line.slots - (heard if field == "react" else heard - beat.captures):
                        raise PydanticCustomError(
                            "slot",
                            "beats.{index}.{field}.{line}: {slot} is not captured by this or an earlier beat",
                            {
                                "index": index,
                                "field": field,
                                "line": line_index,
                                "slot": "{" + sorted(unknown)[0] + "}",
                            },
                        )
        for line_index, line in enumerate(self.closing):
            if unknown := line.slots - heard:
                raise PydanticCustomError(
                    "slot",
                    "closing.{line}: {slot} is never captured",
                    {"line": line_index, "slot": "{" + sorted(unknown)[0] + "}"},
                )
        return self


def _unique(ids: list[str], where: str) -> None:
    if duplicates := sorted({value for value in ids if ids.count(value) > 1}):
        raise PydanticCustomError(
            "duplicate", "{where}: id '{id}' is used twice", {"where": where, "id": duplicates[0]}
        )


class TemplateContent(_Strict):
    """Everything a template file holds; language and level come from its directory."""

    slug: Slug
    title: Annotated[Text, StringConstraints(max_length=200)]
    topic: Slug
    description: Text
    mode: Mode = Mode.LANGUAGE
    preparation_type: PreparationType | None = Field(default=None, validate_default=True)
    meeting_subtype: Annotated[Text, StringConstraints(max_length=100)] | None = None
    persona: Persona
    system_prompt: Text
    starter_turns: list[StarterTurn] = Field(min_length=1)
    vocab_hints: list[VocabHint] = []
    script: Script | None = None
    goals: list[Text] = Field(default=[], validate_default=True)
    tags: list[Slug] = []

    @field_validator("preparation_type")
    @classmethod
    def _preparation_type_for_interviews(cls, value: PreparationType | None, info: ValidationInfo):
        if value is None and info.data.get("mode") == Mode.INTERVIEW:
            raise PydanticCustomError("missing", "Field required when mode is interview")
        return value

    @field_validator("starter_turns")
    @classmethod
    def _opening_turn(cls, value: list[StarterTurn]) -> list[StarterTurn]:
        if not any(turn.speaker == "partner" for turn in value):
            raise PydanticCustomError("no_opening", "At least one turn must have speaker: partner (the opening)")
        return value

    @field_validator("goals")
    @classmethod
    def _goals_from_script(cls, value: list[str], info: ValidationInfo) -> list[str]:
        # A scripted template may leave `goals` out: the script's goals say the same.
        if not value and (script := info.data.get("script")):
            return [goal.text for goal in script.goals]
        if not value:
            raise PydanticCustomError("too_short", "List should have at least 1 item")
        return value

    def row_fields(self) -> dict:
        """The values of the ConversationTemplate columns this content fills."""
        data = self.model_dump(mode="json", exclude_none=True)
        optional_text = {name: data.get(name, "") for name in ["preparation_type", "meeting_subtype"]}
        return {**data, **optional_text, "script": data.get("script") or {}}


def template_content_validate(*, data: dict, language: str) -> TemplateContent:
    """Validate one template's fields. Raises pydantic.ValidationError."""
    return TemplateContent.model_validate(data, context={"language": language})


def error_lines(exc: ValidationError) -> list[tuple[str, str]]:
    """Each error as (dotted field path, message), e.g. ("vocab_hints.3.reading", "Field required")."""
    return [(".".join(str(part) for part in error["loc"]), error["msg"]) for error in exc.errors()]
