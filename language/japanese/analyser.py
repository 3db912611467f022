"""analyse(): run every rule over each sentence of a learner's turn."""

from .finding import Finding, Hit
from .forms import RULES as FORM_RULES
from .particles import RULES as PARTICLE_RULES
from .text import Sentence, split_sentences, tag
from .usage import RULES as USAGE_RULES

MAX_FINDINGS = 3
_RULES = FORM_RULES + PARTICLE_RULES + USAGE_RULES


def _apply(text: str, edits: tuple[tuple[int, int, str], ...]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _finding(sentence: Sentence, hit: Hit) -> Finding:
    return Finding(
        type=hit.type,
        severity=hit.severity,
        original=sentence.text[hit.start : hit.end],
        correction=_apply(sentence.text, hit.edits),
        explanation=hit.explanation,
        rule=hit.rule,
    )


def analyse(text: str) -> list[Finding]:
    """Mistakes in a beginner's Japanese turn, at most three, in reading order.

    A correction keeps the learner's own spelling and spacing and changes only the mistaken span, so
    compare corrections with spaces removed.
    """
    findings: list[Finding] = []
    for sentence_text in split_sentences(text if isinstance(text, str) else ""):
        sentence = tag(sentence_text)
        hits: list[Hit] = []
        for rule in _RULES:
            hits.extend(hit for hit in rule(sentence) if not any(_overlaps(hit, other) for other in hits))
        for hit in sorted(hits, key=lambda h: h.start):
            findings.append(_finding(sentence, hit))
    return findings[:MAX_FINDINGS]


def _overlaps(a: Hit, b: Hit) -> bool:
    return a.start < b.end and b.start < a.end
