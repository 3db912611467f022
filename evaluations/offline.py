"""The offline partner's evaluation: scores from features of the learner's turns, labelled as such.

Features: answer length, structure markers (STAR cues, connectors), filler and hedge words,
numbers (specific results), politeness and shouting, and the mistakes the turn analysis found.
Nothing here understands meaning; the evaluation row is marked offline so the UI can say so.
"""

import re

from ai import offline_handler
from evaluations.language_rubric import language_score
from evaluations.schemas import EvaluationOut, EvaluationRequest, LanguageEvaluationOut, UniversalScores
from evaluations.scoring import DIMENSION_ADVICE as AREAS
from evaluations.scoring import FEATURE_ADVICE, LEVELS, STRENGTHS

STRUCTURE = re.compile(
    r"(?i)\b(situation|task|action|result|first(?:ly)?|second(?:ly)?|then|next|finally|because|so that|"
    r"as a result|therefore|for example|for instance|in the end|to sum up|my role)\b"
)
STAR = re.compile(r"(?i)\b(situation|task|action|result|i (?:led|built|decided|organised|organized|proposed))\b")
FILLERS = re.compile(r"(?i)\b(um+|uh+|er+m?|you know|basically|actually|sort of|kind of|i mean|like,)")
HEDGES = re.compile(r"(?i)\b(maybe|perhaps|probably|i guess|i think|not sure|i hope)\b")
POLITE = re.compile(r"(?i)\b(please|thank(?:s| you)|sorry|appreciate)\b|ありがとう|すみません|お願い|ください")
SHOUTING = re.compile(r"!{2,}|\b[A-Z]{4,}\b")
NUMBER = re.compile(r"\d")
CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# Which feature stands for each context dimension.
CONTEXT_FEATURE = {
    "star_structure": "star",
    "specificity_impact": "specificity",
    "role_fit": "relevance_focus",
    "agenda_control": "clarity_structure",
    "stakeholder_alignment": "tone_alignment",
    "decision_outcome": "specificity",
    "problem_clarity": "clarity_structure",
    "value_proposition": "specificity",
    "ask_clarity": "relevance_focus",
    "discovery": "questions",
    "objection_handling": "confidence_delivery",
    "next_step": "relevance_focus",
    "key_message": "clarity_structure",
    "evidence": "specificity",
    "audience_engagement": "tone_alignment",
    "goal_progress": "relevance_focus",
    "adaptability": "confidence_delivery",
    "accuracy": "language_quality",
    "vocabulary_range": "vocabulary",
    "fluency": "fluency",
}


def _level(value: float) -> str:
    thresholds = (0.3, 0.55, 0.8)
    return LEVELS[sum(value >= t for t in thresholds)]


def _words(text: str) -> int:
    cjk = len(CJK.findall(text))
    return len(text.split()) + cjk // 2


def _clamp(value: float) -> float:
    return min(max(value, 0.0), 1.0)


def _features(request: EvaluationRequest) -> dict[str, float]:
    answers = [t.content for t in request.transcript if t.role == "user" and t.content.strip()]
    text = "\n".join(answers)
    turns = max(len(answers), 1)
    words = max(sum(_words(a) for a in answers), 1)
    average = words / turns
    markers = len({m.lower() for m in STRUCTURE.findall(text)})
    star = len({m.lower() for m in STAR.findall(text)})
    with_numbers = sum(1 for a in answers if NUMBER.search(a)) / turns
    fillers = len(FILLERS.findall(text)) / words
    hedges = len(HEDGES.findall(text)) / words
    mistake_rate = len(request.mistakes) / turns
    distinct = len({w.lower() for a in answers for w in a.split()}) / words

    structure = {0: 0.2, 1: 0.45, 2: 0.6, 3: 0.7}.get(markers, 0.85) - (0.15 if average < 8 else 0.0)
    if average < 5:
        relevance = 0.2
    elif average < 15:
        relevance = 0.45
    elif average <= 150:
        relevance = 0.65
    else:
        relevance = 0.5
    relevance += 0.2 * with_numbers
    tone = 0.65 + (0.15 if POLITE.search(text) else 0.0) - (0.3 if SHOUTING.search(text) else 0.0)
    tone -= 0.2 if average < 4 else 0.0
    language = 0.85 - 0.2 * min(mistake_rate, 3)
    return {
        "clarity_structure": _clamp(structure),
        "relevance_focus": _clamp(relevance),
        "confidence_delivery": _clamp(0.85 - fillers * 8 - hedges * 5),
        "language_quality": _clamp(language),
        "tone_alignment": _clamp(tone),
        "star": _clamp(0.2 + 0.18 * star),
        "specificity": _clamp(0.25 + 0.6 * with_numbers),
        "questions": _clamp(0.2 + 0.25 * text.count("?") / turns),
        "vocabulary": _clamp(0.2 + distinct),
        "fluency": _clamp(min(average, 30) / 30 * 0.6 + 0.25 - fillers * 4),
    }


MAX_QUOTE = 160
# Which of the learner's turns show a feature best: those matching the pattern, else the longest.
FEATURE_PATTERN = {
    "clarity_structure": STRUCTURE,
    "star": STAR,
    "relevance_focus": NUMBER,
    "specificity": NUMBER,
    "confidence_delivery": re.compile(f"(?:{FILLERS.pattern[4:]})|(?:{HEDGES.pattern[4:]})", re.IGNORECASE),
    "tone_alignment": re.compile(f"(?:{POLITE.pattern[4:]})|(?:{SHOUTING.pattern})", re.IGNORECASE),
    "questions": re.compile(r"[?？]"),
}


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def feature_evidence(feature: str, request: EvaluationRequest) -> list[str]:
    """At most two of the learner's turns that a feature's score rests on."""
    answers = [t.content for t in request.transcript if t.role == "user" and t.content.strip()]
    if not answers:
        return []
    if feature == "language_quality" and request.mistakes:
        return [_quote(m.sentence or m.original) for m in request.mistakes[:2]]
    pattern = FEATURE_PATTERN.get(feature)
    matching = [a for a in answers if pattern and pattern.search(a)]
    return [_quote(a) for a in (matching or sorted(answers, key=len, reverse=True))[:2]]


def professional_evidence(request: EvaluationRequest) -> dict[str, list[str]]:
    """The learner's words behind each universal and context score."""
    evidence = {name: feature_evidence(name, request) for name in AREAS}
    for dim in request.context_dimensions:
        evidence[dim] = feature_evidence(CONTEXT_FEATURE.get(dim, "relevance_focus"), request)
    return {dim: quotes for dim, quotes in evidence.items() if quotes}


@offline_handler("language_evaluation")
def language_evaluation_offline(request: EvaluationRequest) -> LanguageEvaluationOut:
    """The language rubric by rules on the learner's turns."""
    return language_score(request)


@offline_handler("evaluation")
def evaluation_offline(request: EvaluationRequest) -> EvaluationOut:
    """Levels from transcript features; the weakest of the features behind the universal and the
    context scores become the improvement areas, so a score that needs work is always one of them."""
    features = _features(request)
    universal = {name: _level(features[name]) for name in AREAS}
    advice = {**AREAS, **FEATURE_ADVICE}
    behind = [*AREAS, *(CONTEXT_FEATURE.get(dim, "relevance_focus") for dim in request.context_dimensions)]
    weak = {feature for feature in behind if feature in advice and features[feature] < 0.55}
    weakest = sorted(weak, key=lambda feature: (features[feature], feature))[:3]
    strongest = sorted((name for name in AREAS if features[name] >= 0.55), key=lambda name: -features[name])[:3]
    return EvaluationOut(
        universal_scores=UniversalScores(**universal),
        context_scores={
            dim: _level(features[CONTEXT_FEATURE.get(dim, "relevance_focus")]) for dim in request.context_dimensions
        },
        improvement_areas=[advice[feature][0] for feature in weakest],
        practice_suggestions=[advice[feature][1] for feature in weakest],
        strengths=[STRENGTHS[name] for name in strongest],
        evidence=professional_evidence(request),
        overall_score=None,
        rater="offline-rules",
    )
