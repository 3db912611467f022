"""What callers hand the gateway and what they get back: typed requests, deltas and results."""

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

Strictness = Literal["gentle", "balanced", "strict"]


class Persona(BaseModel):
    name: str = "Aki"
    role: str = "conversation partner"
    style: str = "friendly"


class VocabHint(BaseModel):
    phrase: str
    reading: str = ""
    translation: str = ""


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class ScenarioBrief(BaseModel):
    """The scenario script's part of a turn: what the prompt says about it, and the offline partner's line."""

    facts: list[str] = Field(default_factory=list)  # what the partner can tell about itself and its world
    current: str = ""  # the question the partner is on; empty once the scenario is over
    goals_open: list[str] = Field(default_factory=list)
    finished: bool = False
    line: str = ""  # the offline partner's reply to this turn, worked out by the scenario engine


class ReplyRequest(BaseModel):
    """Everything the partner needs for one turn; real providers get it rendered as chat messages."""

    language: str
    level: str = "beginner"
    mode: str = "language"
    persona: Persona = Field(default_factory=Persona)
    strictness: Strictness = "balanced"
    # The template's scaffold, rendered into the system message as given.
    system_prompt: str = ""
    starter_turns: list[str] = Field(default_factory=list)
    vocab_hints: list[VocabHint] = Field(default_factory=list)
    summary: str = ""
    recent_turns: list[Turn] = Field(default_factory=list)
    user_text: str
    # How often the partner has spoken in the whole session (the recent turns are only a window).
    partner_turns: int | None = None
    scenario: ScenarioBrief | None = None
    # What an interview-mode partner works from: the preparation type and subtype, the titles of the
    # learner's stories and their training focus (the session's context, also in the system prompt).
    preparation_type: str = ""
    meeting_subtype: str = ""
    story_titles: list[str] = Field(default_factory=list)
    focus: str = ""

    @property
    def partner_step(self) -> int:
        """The partner's position in the template: its turns so far, counted in the window when not given."""
        if self.partner_turns is not None:
            return self.partner_turns
        return sum(1 for turn in self.recent_turns if turn.role == "assistant")


class SummaryRequest(BaseModel):
    language: str
    previous_summary: str = ""
    turns: list[Turn]


class VocabularyRequest(BaseModel):
    language: str
    level: str = "beginner"
    text: str
    hints: list[VocabHint] = Field(default_factory=list)


class GoalRef(BaseModel):
    id: str
    text: str


class TurnAnalysisRequest(BaseModel):
    language: str
    level: str = "beginner"
    strictness: Strictness = "balanced"
    text: str
    # The scenario's goals still open: the analysis says which of them this turn reached.
    goals: list[GoalRef] = Field(default_factory=list)


class SpeechRequest(BaseModel):
    """Text to speak: `language` is an ISO 639-1 code, `speed` 0.25-4 (1 is normal)."""

    text: str
    language: str
    speed: float = 1.0


class TranscriptionRequest(BaseModel):
    """A recording to turn into text; `language` (ISO 639-1) tells the model what to expect."""

    audio: bytes
    filename: str
    content_type: str
    language: str = ""


class VocabularyTags(BaseModel):
    items: list[VocabHint] = Field(max_length=10)


class SummaryOut(BaseModel):
    summary: str


class FindingOut(BaseModel):
    # Plain strings, described for the model: the Japanese checker owns its own vocabulary of values.
    type: str = Field(
        max_length=40,
        description="grammar, vocabulary, particle, conjugation, politeness, spelling, word order or other",
    )
    severity: str = Field(max_length=20, description="low, medium or high")
    original: str = Field(max_length=500)
    correction: str = Field(max_length=500)
    explanation: str = Field(max_length=1000)
    rule: str = ""


class Findings(BaseModel):
    findings: list[FindingOut] = Field(max_length=3)
    goals_reached: list[str] = Field(
        default_factory=list, max_length=20, description="ids of the listed goals this turn reached; [] if none"
    )


@dataclass(frozen=True, slots=True)
class Tool:
    """A function the model may call: `parameters` is its JSON schema."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Delta:
    """One piece of a streamed reply; `index` counts from 0 so a client can spot gaps."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class ReplyResult:
    text: str
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: int
    fallback: bool
    offline: bool
    interaction_id: int | None
    tool_calls: tuple[ToolCall, ...] = field(default=())
