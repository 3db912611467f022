"""What the evaluation asks the gateway for, and the shape it must answer in."""

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evaluations.scoring import Level


class UniversalScores(BaseModel):
    clarity_structure: Level
    relevance_focus: Level
    confidence_delivery: Level
    language_quality: Level
    tone_alignment: Level


class EvaluationOut(BaseModel):
    universal_scores: UniversalScores
    context_scores: dict[str, Level] = Field(default_factory=dict)
    improvement_areas: list[str] = Field(default_factory=list)
    practice_suggestions: list[str] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    # Per dimension, the learner's words that show it; quotes not in the transcript are dropped later.
    evidence: dict[str, list[str]] = Field(default_factory=dict)
    overall_score: float | None = None
    # Set by the offline partner only; a model is not asked for it.
    rater: str = "model"

    @field_validator("improvement_areas", "practice_suggestions", "strengths")
    @classmethod
    def _short_texts(cls, items: list[str]) -> list[str]:
        return [item.strip()[:500] for item in items if item and item.strip()][:5]


class LanguageScores(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    accuracy: Level
    range: Level
    fluency: Level
    task_completion: Level
    # Scored for Japanese only (です/ます against plain forms).
    # `register` is also a BaseModel attribute, so the field takes it as its alias.
    register_: Level | None = Field(default=None, alias="register")


class LanguageEvaluationOut(BaseModel):
    """The language rubric's answer: what a teacher scores, with the learner's words as evidence."""

    scores: LanguageScores
    evidence: dict[str, list[str]] = Field(default_factory=dict)
    improvement_areas: list[str] = Field(default_factory=list)
    practice_suggestions: list[str] = Field(default_factory=list)
    strengths: list[str] = Field(default_factory=list)
    overall_score: float | None = None
    rater: str = "model"
    # The offline scorer's figures per dimension (0-100); a model is not asked for them.
    points: dict[str, int] = Field(default_factory=dict)

    @field_validator("improvement_areas", "practice_suggestions", "strengths")
    @classmethod
    def _short_texts(cls, items: list[str]) -> list[str]:
        return [item.strip()[:500] for item in items if item and item.strip()][:5]


class MistakeNote(BaseModel):
    type: str
    severity: str
    original: str
    correction: str
    explanation: str = ""
    # The learner's whole turn the mistake was found in.
    sentence: str = ""


class TargetNote(BaseModel):
    text: str
    translation: str = ""


class GoalNote(BaseModel):
    text: str
    reached: bool = False


class EvaluationTurn(BaseModel):
    role: str
    content: str


class EvaluationRequest(BaseModel):
    rubric: str = "professional"
    mode: str
    language: str
    level: str
    preparation_type: str = ""
    meeting_subtype: str = ""
    agenda: str = ""
    tone: str = ""
    focus: str = ""
    context_dimensions: list[str]
    transcript: list[EvaluationTurn]
    mistakes: list[MistakeNote] = Field(default_factory=list)
    # The scenario's words and goals, and the words a "due" session steers toward.
    targets: list[TargetNote] = Field(default_factory=list)
    goals: list[GoalNote] = Field(default_factory=list)
    topic: str = ""
