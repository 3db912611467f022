"""What the evaluation asks the gateway for, and the shape it must answer in."""

from pydantic import BaseModel, Field, field_validator

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
    overall_score: float | None = None
    # Set by the offline partner only; a model is not asked for it.
    rater: str = "model"

    @field_validator("improvement_areas", "practice_suggestions", "strengths")
    @classmethod
    def _short_texts(cls, items: list[str]) -> list[str]:
        return [item.strip()[:500] for item in items if item and item.strip()][:5]


class MistakeNote(BaseModel):
    type: str
    severity: str
    original: str
    correction: str


class EvaluationTurn(BaseModel):
    role: str
    content: str


class EvaluationRequest(BaseModel):
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
