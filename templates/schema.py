"""The template file schema: the one definition the seed command, the admin and docs/templates.md follow."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from templates.models import Language, Mode, PreparationType

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# Scripts a beginner cannot sound out need a reading (kana, pinyin, romanisation) on every vocabulary hint.
READING_REQUIRED = frozenset({Language.JAPANESE, Language.CHINESE, Language.KOREAN})

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]


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
    goals: list[Text] = Field(min_length=1)
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

    def row_fields(self) -> dict:
        """The values of the ConversationTemplate columns this content fills."""
        data = self.model_dump(mode="json", exclude_none=True)
        optional_text = {name: data.get(name, "") for name in ["preparation_type", "meeting_subtype"]}
        return {**data, **optional_text}


def template_content_validate(*, data: dict, language: str) -> TemplateContent:
    """Validate one template's fields. Raises pydantic.ValidationError."""
    return TemplateContent.model_validate(data, context={"language": language})


def error_lines(exc: ValidationError) -> list[tuple[str, str]]:
    """Each error as (dotted field path, message), e.g. ("vocab_hints.3.reading", "Field required")."""
    return [(".".join(str(part) for part in error["loc"]), error["msg"]) for error in exc.errors()]
