"""/coach/advice: normalise the input, build the prompt, call the gateway, parse, score.

The model's answer is read leniently and then cleaned: blank and duplicate advice is dropped,
scores are numbers in [0, 1] (a value in (1, 100] is read as a percentage, anything else out of
range is clamped, and a score that is not a number is ignored), and each item's final score blends
the model's score with our own (actionable, reasonably short, on the learner's topic).
"""

import math
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, Field

import ai
from conversations.models import MessageRole, PracticeSession
from evaluations.models import Evaluation
from evaluations.offline import FILLERS, HEDGES, NUMBER, STAR

MAX_TEXT = 4000
MAX_ITEMS = 5
OFFLINE_RATER = "offline-rules"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IMPERATIVE = re.compile(
    r"(?i)^(?:add|avoid|be|cut|describe|end|explain|focus|give|keep|lead|list|mention|name|open|pause|practi[cs]e|"
    r"prepare|quantify|record|rehearse|remove|replace|say|show|shorten|slow|start|state|stop|structure|"
    r"summari[sz]e|tell|try|use|write)\b"
)
_WORD = re.compile(r"[^\W\d_]{4,}")


class AdviceRequest(BaseModel):
    text: str
    goal: str = ""
    preparation_type: str = ""
    recent_answers: list[str] = Field(default_factory=list)
    improvement_areas: list[str] = Field(default_factory=list)


class AdviceItemOut(BaseModel):
    advice: str = ""
    score: Any = None


class AdviceOut(BaseModel):
    advice: list[AdviceItemOut | str] = Field(default_factory=list)
    rater: str = "model"


def text_normalise(text: str) -> str:
    """NFKC, no control characters, single spaces inside lines, at most MAX_TEXT characters."""
    text = _CONTROL.sub("", unicodedata.normalize("NFKC", text or ""))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)[:MAX_TEXT].strip()


def advice_request_build(*, text: str, goal: str = "", session: PracticeSession | None = None) -> AdviceRequest:
    """The typed request: the normalised text and goal, and the session's recent answers and weak areas."""
    request = AdviceRequest(text=text_normalise(text), goal=text_normalise(goal)[:500])
    if session is not None:
        answers = session.conversation.messages.filter(role=MessageRole.USER).order_by("-seq")[:5]
        evaluation = Evaluation.objects.filter(session=session).only("improvement_areas").first()
        request.preparation_type = session.preparation_type
        request.recent_answers = [m.content[:500] for m in reversed(list(answers))]
        request.improvement_areas = evaluation.improvement_areas if evaluation else []
    return request


def advice_messages(request: AdviceRequest) -> list[dict]:
    """The prompt for real providers."""
    lines = [
        "You are a concise speaking coach. Give at most 5 pieces of advice on the learner's text, each one "
        "actionable sentence, with your confidence that it helps as a score between 0 and 1. Answer only JSON: "
        '{"advice": [{"advice": "...", "score": 0.0}]}.'
    ]
    if request.preparation_type:
        lines.append(f"They prepare for: {request.preparation_type}.")
    if request.improvement_areas:
        lines.append("Their last evaluation asked them to work on: " + "; ".join(request.improvement_areas))
    user = f"Goal: {request.goal or '(none given)'}\n\nText:\n{request.text}"
    if request.recent_answers:
        user += "\n\nTheir recent answers in the session:\n" + "\n".join(f"- {a}" for a in request.recent_answers)
    return [{"role": "system", "content": "\n".join(lines)}, {"role": "user", "content": user}]


def model_score(raw: Any) -> float | None:
    """The model's score in [0, 1], or None when it is not a number."""
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    if math.isnan(value) or math.isinf(value):
        return None
    if 1 < value <= 100:
        value /= 100
    return min(max(value, 0.0), 1.0)


def own_score(*, advice: str, request: AdviceRequest) -> float:
    """Actionable (an imperative first word), a reasonable length, and on the learner's topic."""
    words = advice.split()
    score = 0.3 if _IMPERATIVE.match(advice) else 0.0
    score += 0.3 if 5 <= len(words) <= 40 else 0.15 if 3 <= len(words) <= 80 else 0.0
    topic = {w.lower() for w in _WORD.findall(f"{request.text} {request.goal}")}
    overlap = len(topic & {w.lower() for w in _WORD.findall(advice)})
    return round(score + 0.4 * min(overlap / 3, 1.0), 3)


def advice_score(out: AdviceOut, request: AdviceRequest) -> list[dict]:
    """Cleaned, scored advice sorted by score (best first)."""
    seen: set[str] = set()
    scored = []
    source = "offline" if out.rater == OFFLINE_RATER else "model"
    for item in out.advice:
        text, raw = (item, None) if isinstance(item, str) else (item.advice, item.score)
        text = " ".join(str(text).split())[:500]
        if not text or text.lower() in seen:
            continue
        seen.add(text.lower())
        mine, theirs = own_score(advice=text, request=request), model_score(raw)
        score = mine if theirs is None else (mine + theirs) / 2
        scored.append({"advice": text, "score": round(min(max(score, 0.0), 1.0), 3), "source": source})
    scored.sort(key=lambda item: -item["score"])
    return scored[:MAX_ITEMS]


def advice_get(*, user, text: str, goal: str = "", session: PracticeSession | None = None) -> list[dict]:
    """Scored advice on `text` through the gateway. Raises AIUnavailable (AIMalformedOutput after a retry)."""
    request = advice_request_build(text=text, goal=goal, session=session)
    out = ai.structured_sync(
        user=user,
        conversation=session.conversation if session else None,
        purpose="advice",
        schema=AdviceOut,
        messages=advice_messages(request),
        request=request,
    )
    return advice_score(out, request)


@ai.offline_handler("advice")
def advice_offline(request: AdviceRequest) -> AdviceOut:
    """Simple rules on the text: structure, numbers, fillers, hedges, 'we' for 'I', sentence length, the goal."""
    text = request.text
    words = max(len(text.split()), 1)
    sentences = [s for s in re.split(r"[.!?。！？]+", text) if s.strip()]
    rules = [
        (not STAR.search(text), "Structure it as situation, task, action and result, one or two sentences each.", 0.9),
        (not NUMBER.search(text), "Add one number that shows the result: a percentage, an amount or time saved.", 0.85),
        (bool(FILLERS.search(text)), "Remove filler words such as 'um', 'basically' and 'you know'.", 0.8),
        (bool(HEDGES.search(text)), "Replace 'I think' and 'maybe' with direct statements of what you did.", 0.75),
        (
            len(re.findall(r"(?i)\bwe\b", text)) > len(re.findall(r"(?i)\bi\b", text)),
            "Say what you did yourself: use 'I' for your own actions and 'we' only for the team's.",
            0.7,
        ),
        (words / max(len(sentences), 1) > 25, "Shorten your sentences: one idea per sentence.", 0.65),
        (bool(request.goal), f"End with one line that ties your answer back to your goal: {request.goal}.", 0.6),
    ]
    advice = [AdviceItemOut(advice=line, score=score) for applies, line, score in rules if applies]
    advice.append(AdviceItemOut(advice="Rehearse it aloud once and time it; aim for under two minutes.", score=0.4))
    return AdviceOut(advice=advice, rater=OFFLINE_RATER)
