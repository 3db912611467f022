"""The language rubric: what a teacher scores in a language session, from the learner's own turns.

Accuracy (mistakes per turn weighted by severity), range (distinct content words and the scenario's
words used), fluency (turn length and complete sentences for the level), task completion (the
scenario's goals reached) and, for Japanese, register (です/ます or plain forms kept consistent).
Every score carries the learner's words it rests on; the advice is about language only.
"""

import re
from collections import Counter

from evaluations.schemas import EvaluationRequest, LanguageEvaluationOut, LanguageScores
from language.japanese.text import tagger

DIMENSIONS = ("accuracy", "range", "fluency", "task_completion", "register")
WEIGHTS = {"accuracy": 30, "range": 20, "fluency": 20, "task_completion": 15, "register": 15}
SEVERITY_WEIGHT = {"low": 0.5, "medium": 1.0, "high": 2.0}
# Per level: the turn length (words, or characters for Japanese) and distinct content words a session should reach.
TURN_LENGTH = {"beginner": (4, 8), "intermediate": (8, 15), "advanced": (12, 25)}
DISTINCT_WORDS = {"beginner": 8, "intermediate": 15, "advanced": 25}
MAX_QUOTE = 120

KIND_ADVICE = {
    "particle": "particles (は, が, を, に, で)",
    "conjugation": "verb and adjective forms",
    "politeness": "polite and plain forms",
    "vocabulary": "word choice",
    "grammar": "grammar",
    "spelling": "spelling",
    "word_order": "word order",
    "other": "the corrected phrases",
}
_CONTENT_POS = {"名詞", "動詞", "形容詞", "副詞", "形状詞", "代名詞"}
_POLITE = {"です", "ます"}
_LATIN_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Function words that say nothing of a learner's range, in the languages offered besides Japanese.
_STOP_WORDS = (
    "a an the and or but so to of in on at for with from by is are was were be been am i you he she it we they me my "
    "your his her its our their this that these those do does did have has had not no yes el la los las un una unos "
    "unas y o pero de del en con por para es son soy eres era fue ser estar está estoy que yo tú él ella nosotros mi "
    "tu su se lo le me te nos le les al muy sí"
)
_STOP = frozenset(_STOP_WORDS.split())


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def _level(points: float) -> str:
    if points >= 80:
        return "strong"
    if points >= 60:
        return "solid"
    if points >= 40:
        return "developing"
    return "needs_work"


def _japanese(request: EvaluationRequest) -> bool:
    return request.language == "japanese"


def _length(text: str, *, japanese: bool) -> int:
    return len(_JAPANESE.findall(text)) if japanese else len(text.split())


def _content_words(text: str, *, japanese: bool) -> set[str]:
    if japanese:
        return {
            (word.feature.lemma or word.surface)
            for word in tagger()(text)
            if word.feature.pos1 in _CONTENT_POS and word.feature.pos2 != "数詞"
        }
    return {w.lower() for w in _LATIN_WORD.findall(text) if len(w) > 2 and w.lower() not in _STOP}


def _complete(text: str, *, japanese: bool) -> bool:
    """A whole sentence for the level: a Japanese turn ending in a predicate, or three words or more."""
    if not japanese:
        return len(text.split()) >= 3
    words = [w for w in tagger()(text) if w.feature.pos1 not in ("補助記号", "記号", "空白")]
    if not words:
        return False
    last = words[-1]
    if last.feature.pos1 == "助詞" and last.feature.pos2 == "終助詞":
        return len(words) > 1
    return last.feature.pos1 in ("動詞", "形容詞", "助動詞")


def _style(text: str) -> str:
    """ "polite" when a predicate takes です/ます, "plain" when one ends without them, "" for a fragment."""
    words = [w for w in tagger()(text) if w.feature.pos1 not in ("補助記号", "記号", "空白")]
    if any(w.feature.pos1 == "助動詞" and w.feature.lemma in _POLITE for w in words):
        return "polite"
    while words and words[-1].feature.pos1 == "助詞":
        words.pop()
    if words and words[-1].feature.pos1 in ("動詞", "形容詞", "助動詞"):
        return "plain"
    return ""


def _accuracy(request: EvaluationRequest, answers: list[str]) -> tuple[float, list[str], dict]:
    turns = max(len(answers), 1)
    weighted = sum(SEVERITY_WEIGHT.get(m.severity, 1.0) for m in request.mistakes)
    rate = weighted / turns
    points = max(0.0, 95 - 35 * rate)
    kinds = Counter(m.type for m in request.mistakes)
    flawed = {m.sentence for m in request.mistakes if m.sentence}
    evidence = [_quote(m.sentence or m.original) for m in request.mistakes][:2]
    clean = [a for a in answers if a not in flawed]
    if clean and len(evidence) < 2:
        evidence.append(_quote(max(clean, key=len)))
    return points, evidence, {"mistakes": len(request.mistakes), "weighted_per_turn": round(rate, 2),
                              "by_kind": dict(kinds.most_common())}  # fmt: skip


def _targets_used(request: EvaluationRequest, answers: list[str]) -> list[dict]:
    used = []
    for target in request.targets:
        bare = target.text.replace("〜", "").replace("~", "").strip()
        sentence = next((a for a in answers if bare and bare in a), "")
        used.append({"text": target.text, "translation": target.translation, "used": bool(sentence),
                     "sentence": _quote(sentence)})  # fmt: skip
    return used


def _range(request: EvaluationRequest, answers: list[str], *, japanese: bool) -> tuple[float, list[str], dict]:
    words = set().union(*(_content_words(a, japanese=japanese) for a in answers)) if answers else set()
    expected = DISTINCT_WORDS.get(request.level, DISTINCT_WORDS["intermediate"])
    targets = _targets_used(request, answers)
    used = [t for t in targets if t["used"]]
    points = 80 * min(len(words) / expected, 1.0)
    points += 20 * min(len(used) / min(len(targets), 3), 1.0) if targets else 20 * min(len(words) / expected, 1.0)
    evidence = [t["sentence"] for t in used][:2] or [_quote(max(answers, key=lambda a: len(set(a))))] if answers else []
    return points, evidence, {"distinct_content_words": len(words), "expected": expected, "targets": targets}


def _fluency(request: EvaluationRequest, answers: list[str], *, japanese: bool) -> tuple[float, list[str], dict]:
    low, high = TURN_LENGTH.get(request.level, TURN_LENGTH["intermediate"])
    if japanese:
        low, high = low * 2, high * 2
    lengths = [_length(a, japanese=japanese) for a in answers]
    average = sum(lengths) / max(len(lengths), 1)
    complete = [a for a in answers if _complete(a, japanese=japanese)]
    share = len(complete) / max(len(answers), 1)
    points = 55 * min(average / high, 1.0) + 45 * share
    if average < low:
        points = min(points, 55)
    shortest = min(answers, key=lambda a: _length(a, japanese=japanese)) if answers else ""
    longest = max(answers, key=lambda a: _length(a, japanese=japanese)) if answers else ""
    evidence = [_quote(q) for q in dict.fromkeys([longest, shortest]) if q]
    return points, evidence, {"average_length": round(average, 1), "unit": "characters" if japanese else "words",
                              "expected_length": high, "complete_sentences": len(complete)}  # fmt: skip


def _task(request: EvaluationRequest, answers: list[str]) -> tuple[float, list[str], dict]:
    goals = [g.model_dump() for g in request.goals]
    if not goals:
        # A free conversation has no goals: keeping it going is the task.
        points = min(len(answers) / 5, 1.0) * 70
        return points, [_quote(a) for a in answers[-1:]], {"goals": []}
    reached = sum(1 for g in goals if g["reached"])
    return 100 * reached / len(goals), [_quote(a) for a in answers[-1:]], {"goals": goals}


def _register(request: EvaluationRequest, answers: list[str]) -> tuple[float, list[str], dict]:
    styles = {a: _style(a) for a in answers}
    polite = [a for a, s in styles.items() if s == "polite"]
    plain = [a for a, s in styles.items() if s == "plain"]
    judged = len(polite) + len(plain)
    if not judged:
        return 60, [], {"polite": 0, "plain": 0, "expected": ""}
    expected = "polite" if request.topic in ("business", "travel", "shopping") or len(polite) >= len(plain) else "plain"
    matching, other = (polite, plain) if expected == "polite" else (plain, polite)
    points = 100 * len(matching) / judged
    if other:
        # Even one sentence out of style is what a teacher would point out.
        points = min(points, 75)
    evidence = [_quote(a) for a in (other[:1] + matching[:1])]
    return points, evidence, {"polite": len(polite), "plain": len(plain), "expected": expected,
                              "off_style": [_quote(a) for a in other[:3]]}  # fmt: skip


def _advice(dim: str, figures: dict, request: EvaluationRequest) -> tuple[str, str]:
    """The improvement area and a practice suggestion for a weak dimension, about language only."""
    if dim == "accuracy":
        kinds = list(figures["accuracy"]["by_kind"])
        focus = KIND_ADVICE.get(kinds[0], "the corrected phrases") if kinds else "the corrected phrases"
        count = figures["accuracy"]["mistakes"]
        if count == 1 and request.mistakes:
            mistake = request.mistakes[0]
            named = kinds and kinds[0] in KIND_ADVICE and kinds[0] != "other"
            area = f"Accuracy: one mistake in this session, with {focus}." if named else ""
            # The corrected sentence to say, when the correction is one (not a bare particle).
            if len(mistake.correction.strip()) > len(mistake.original.strip()):
                practice = f"Say the corrected sentence aloud twice: {mistake.correction.strip()}"
            else:
                practice = "Go through the correction in your review queue and say the sentence aloud twice."
            return area or "Accuracy: one mistake in this session.", practice
        return (
            f"Accuracy: {count} mistakes in this session, most often with {focus}.",
            "Go through the corrections in your review queue and say each corrected sentence aloud twice.",
        )
    if dim == "range":
        unused = [t["text"] for t in figures["range"]["targets"] if not t["used"]][:3]
        words = "、".join(unused) if _japanese(request) else ", ".join(unused)
        return (
            f"Range: you used {figures['range']['distinct_content_words']} different content words; "
            "reuse the words of the scenario.",
            f"Next time, try to use {words}." if unused else "Next time, describe one thing with a new adjective.",
        )
    if dim == "fluency":
        unit = figures["fluency"]["unit"]
        return (
            f"Fluency: your turns averaged {figures['fluency']['average_length']} {unit}; answer in whole sentences.",
            "Add one detail to each answer: when, where, with whom or why.",
        )
    if dim == "task_completion":
        open_goals = [g["text"] for g in figures["task_completion"]["goals"] if not g["reached"]][:2]
        return (
            "Task completion: some goals of the scenario were not reached.",
            ("Replay the scenario and aim for: " + "; ".join(open_goals) + ".")
            if open_goals
            else "Keep the conversation going for at least five turns.",
        )
    return (
        "Register: you mixed polite (です/ます) and plain forms.",
        "Keep to one style: with people you have just met, end every sentence with です or ます.",
    )


# Per dimension, for the improvement plan: the area and a practice suggestion that hold across sessions.
PLAN_ADVICE = {
    "accuracy": (
        "Accuracy: the same kinds of mistakes come back.",
        "Review your mistake cards every day until they stop coming back.",
    ),
    "range": (
        "Range: use more of the words each scenario offers.",
        "Before a session, read its word list and pick three words to use.",
    ),
    "fluency": (
        "Fluency: answer in whole sentences of a good length for your level.",
        "Add one detail to each answer: when, where, with whom or why.",
    ),
    "task_completion": (
        "Task completion: reach the goals of each scenario.",
        "Replay a scenario and tick off its goals one by one.",
    ),
    "register": (
        "Register: keep to polite (です/ます) or plain forms within a conversation.",
        "With people you have just met, end every sentence with です or ます.",
    ),
}
KIND_PLAN = {
    kind: (f"Recurring mistakes with {label}.", f"Practise {label} with the extra cards in your review queue.")
    for kind, label in KIND_ADVICE.items()
}

STRENGTH = {
    "accuracy": "Accurate sentences with few mistakes.",
    "range": "A good range of words for the conversation.",
    "fluency": "Whole sentences of a good length for your level.",
    "task_completion": "You reached the goals of the scenario.",
    "register": "A consistent polite or plain style.",
}


def _results(request: EvaluationRequest) -> dict[str, tuple[float, list[str], dict]]:
    answers = [t.content.strip() for t in request.transcript if t.role == "user" and t.content.strip()]
    japanese = _japanese(request)
    results = {
        "accuracy": _accuracy(request, answers),
        "range": _range(request, answers, japanese=japanese),
        "fluency": _fluency(request, answers, japanese=japanese),
        "task_completion": _task(request, answers),
    }
    if japanese:
        results["register"] = _register(request, answers)
    return results


def language_figures(request: EvaluationRequest) -> dict:
    """The figures behind the scores (mistakes by kind, targets, goals, register), whoever rated."""
    return {dim: result[2] for dim, result in _results(request).items()}


def language_evidence(request: EvaluationRequest) -> dict[str, list[str]]:
    """Per dimension, the learner's words the rules read it from."""
    return {dim: result[1] for dim, result in _results(request).items() if result[1]}


def language_score(request: EvaluationRequest) -> LanguageEvaluationOut:
    """Score a language session by rules on the learner's turns: the offline scorer's answer."""
    results = _results(request)
    points = {dim: round(result[0]) for dim, result in results.items()}
    figures = {dim: result[2] for dim, result in results.items()}
    weight = sum(WEIGHTS[dim] for dim in points)
    overall = sum(points[dim] * WEIGHTS[dim] for dim in points) / weight
    weak = sorted((dim for dim in points if points[dim] < 60), key=lambda dim: points[dim])[:3]
    if not weak:
        # Nothing weak: what a teacher would still work on, the lowest score short of strong.
        weak = sorted((dim for dim in points if points[dim] < 80), key=lambda dim: points[dim])[:1]
    if figures["accuracy"]["mistakes"] and "accuracy" not in weak:
        # A mistake is always worth going over, however good the rest was.
        weak = [*weak[:2], "accuracy"]
    advice = [_advice(dim, figures, request) for dim in weak]
    # A score to work on is no strength, however close to strong.
    strong = sorted((dim for dim in points if points[dim] >= 70 and dim not in weak), key=lambda dim: -points[dim])[:3]
    return LanguageEvaluationOut(
        scores=LanguageScores(**{dim: _level(value) for dim, value in points.items()}),
        evidence={dim: result[1] for dim, result in results.items() if result[1]},
        improvement_areas=[area for area, _ in advice],
        practice_suggestions=[suggestion for _, suggestion in advice],
        strengths=[STRENGTH[dim] for dim in strong],
        overall_score=round(overall),
        rater="offline-rules",
        points=points,
    )
