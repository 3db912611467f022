"""What the checker reports."""

from dataclasses import asdict, dataclass
from typing import Literal

FindingType = Literal[
    "grammar", "vocabulary", "particle", "conjugation", "politeness", "spelling", "word_order", "other"
]
Severity = Literal["low", "medium", "high"]


@dataclass(frozen=True)
class Finding:
    """One mistake: `original` is a substring of the input, `correction` the whole corrected sentence."""

    type: FindingType
    severity: Severity
    original: str
    correction: str
    explanation: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A rule's raw result, in offsets of the learner's sentence; edits are (start, end, replacement)."""

    type: FindingType
    severity: Severity
    start: int
    end: int
    edits: tuple[tuple[int, int, str], ...]
    explanation: str
    rule: str
