"""Levels, the dimensions scored per preparation type, and the overall score they allow."""

from typing import Literal

Level = Literal["needs_work", "developing", "solid", "strong"]
LEVELS: tuple[str, ...] = ("needs_work", "developing", "solid", "strong")
UNIVERSAL = ("clarity_structure", "relevance_focus", "confidence_delivery", "language_quality", "tone_alignment")
# The overall score a level stands for: its band and the value used when the model gives none.
BANDS = {"needs_work": (0, 39), "developing": (40, 59), "solid": (60, 79), "strong": (80, 100)}
MIDPOINTS = {"needs_work": 30, "developing": 50, "solid": 70, "strong": 88}
WEAK = {"needs_work", "developing"}

CONTEXT_DIMENSIONS = {
    "Interview": ("star_structure", "specificity_impact", "role_fit"),
    "Corporate": ("agenda_control", "stakeholder_alignment", "decision_outcome"),
    "Pitch": ("problem_clarity", "value_proposition", "ask_clarity"),
    "Sales": ("discovery", "objection_handling", "next_step"),
    "Presentation": ("key_message", "evidence", "audience_engagement"),
    "Other": ("goal_progress", "adaptability"),
    "language": ("accuracy", "vocabulary_range", "fluency"),
}


# Per universal dimension: the improvement area and a practice suggestion.
DIMENSION_ADVICE = {
    "clarity_structure": (
        "Give your answers a clear structure: situation, task, action, result.",
        "Answer one question aloud using the four STAR headings, one or two sentences each.",
    ),
    "relevance_focus": (
        "Stay on the question and back your points with specific examples and numbers.",
        "Before answering, name the one point you want to make; add one number that shows the impact.",
    ),
    "confidence_delivery": (
        "Cut filler words and hedges so your answers sound sure.",
        "Record a two-minute answer and replay it, counting 'um', 'maybe' and 'I think'; aim for half next time.",
    ),
    "language_quality": (
        "Reduce the language mistakes flagged during the session.",
        "Review the session's mistakes and say each corrected sentence aloud three times.",
    ),
    "tone_alignment": (
        "Match the tone the situation asks for: courteous, calm and direct.",
        "Rehearse your opening and closing lines in the session's tone before the next practice.",
    ),
}
# Per rule-based feature a context score may rest on (evaluations.offline) that is no universal
# dimension: the improvement area and a practice suggestion.
FEATURE_ADVICE = {
    "star": (
        "Give each example all four STAR parts: the situation, your task, what you did and the result.",
        "Take your best story and say one sentence aloud under each STAR heading.",
    ),
    "specificity": (
        "Make your results concrete: say what changed, with a number where you can.",
        "For each example you tell, prepare one figure: time saved, money, people or a percentage.",
    ),
    "questions": (
        "Ask more questions to find out what the other person needs.",
        "Before the next call, write down three open questions that start with what, how or why.",
    ),
}
# Dimensions as people write them (the review page, the trends); humanised otherwise.
DIMENSION_LABELS = {
    "clarity_structure": "Clarity and structure",
    "relevance_focus": "Relevance and focus",
    "confidence_delivery": "Confidence and delivery",
    "tone_alignment": "Tone",
    "star_structure": "STAR structure",
    "specificity_impact": "Specificity and impact",
    "decision_outcome": "Decisions and outcome",
    "ask_clarity": "A clear ask",
}
STRENGTHS = {
    "clarity_structure": "Well-structured answers.",
    "relevance_focus": "Answers that stay on the question with concrete detail.",
    "confidence_delivery": "Confident delivery with few fillers.",
    "language_quality": "Accurate language.",
    "tone_alignment": "A tone that fits the situation.",
}


def context_dimensions(*, preparation_type: str, mode: str) -> tuple[str, ...]:
    """The context dimensions of a session: its preparation type's, or the language ones."""
    if preparation_type in CONTEXT_DIMENSIONS:
        return CONTEXT_DIMENSIONS[preparation_type]
    return CONTEXT_DIMENSIONS["language" if mode == "language" else "Other"]


_VALUES = {level: i + 1 for i, level in enumerate(LEVELS)}


def level_value(level: str) -> int:
    """1 (needs_work) to 4 (strong)."""
    return _VALUES[level]


def overall_from_levels(*, levels: list[str], proposed: int | None) -> int:
    """The overall score, always inside the range the universal levels allow.

    The range is the mean of the levels' bands; a proposed score is clamped into it, and without
    one the mean of the bands' midpoints is used.
    """
    low = sum(BANDS[level][0] for level in levels) / len(levels)
    high = sum(BANDS[level][1] for level in levels) / len(levels)
    if proposed is None:
        return round(sum(MIDPOINTS[level] for level in levels) / len(levels))
    return round(min(max(float(proposed), low), high))


def level_cap_for_mistakes(*, mistakes: int, user_turns: int) -> str:
    """The best language_quality the session's mistakes allow: a model's praise cannot outrun them."""
    rate = mistakes / max(user_turns, 1)
    if rate >= 1:
        return "developing"
    if rate >= 0.5:
        return "solid"
    return "strong"
