"""The analysis of a learner's turn: the local checker first, the provider for what it missed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ai
from partner.prompts import analysis_messages

if TYPE_CHECKING:
    from django.db.models import Model

    from accounts.models import User

# How many findings each strictness reports; only a strict partner mentions minor slips.
_FINDINGS_BY_STRICTNESS = {"gentle": 1, "balanced": 2, "strict": 3}
_MINOR = {"low", "minor"}


@dataclass(frozen=True)
class TurnAnalysis:
    findings: list[dict]
    # The provider's judgement of which offered goals the turn reached; [] when it gave none or named
    # a goal it was not offered (then the scenario script's own recogniser stands alone).
    goals_reached: list[str] = field(default_factory=list)


async def analyse_turn(**kwargs) -> list[dict]:
    """The findings of turn_analysis, for callers with no scenario goals."""
    return (await turn_analysis(**kwargs)).findings


async def turn_analysis(
    *,
    user: User | None,
    conversation: Model | None,
    text: str,
    language: str,
    level: str,
    strictness: ai.Strictness,
    goals: list[dict] | None = None,
    audit: list[ai.AuditRow] | None = None,
) -> TurnAnalysis:
    """At most 3 findings on the learner's turn, as dicts (type, severity, original, correction, ...),
    and which of the scenario's open `goals` ({id, text}) it reached.

    For Japanese the local checker runs first (instant, free, private) and its findings lead; the
    provider's analysis adds what it missed. Strictness sets how much is reported: a gentle partner
    points out one important mistake, a balanced one two, a strict one three, minor ones included.
    Raises AIUnavailable only when there is nothing to report without the provider. `audit`: as for
    the gateway's calls (ai.gateway), the caller writes the call's row itself.
    """
    local = _local_findings(language=language, text=text)
    offered = [ai.GoalRef(**goal) for goal in goals or []]
    request = ai.TurnAnalysisRequest(language=language, level=level, strictness=strictness, text=text, goals=offered)
    try:
        out = await ai.structured(
            user=user,
            conversation=conversation,
            purpose="analyse_turn",
            schema=ai.Findings,
            messages=analysis_messages(request),
            request=request,
            audit=audit,
        )
    except ai.AIUnavailable:
        if not local:
            raise
        out = ai.Findings(findings=[])
    seen = {(f["original"], f["correction"]) for f in local}
    findings = local + [
        f for f in (finding.model_dump() for finding in out.findings) if (f["original"], f["correction"]) not in seen
    ]
    if strictness != "strict":
        findings = [f for f in findings if f["severity"].lower() not in _MINOR]
    reached = list(dict.fromkeys(out.goals_reached))
    if not set(reached) <= {goal.id for goal in offered}:
        reached = []
    return TurnAnalysis(findings=findings[: _FINDINGS_BY_STRICTNESS[strictness]], goals_reached=reached)


def _local_findings(*, language: str, text: str) -> list[dict]:
    if language.lower() != "japanese":
        return []
    # Imported on the first Japanese turn: a process that never analyses one never loads fugashi.
    from language.japanese import analyse

    return [finding.as_dict() for finding in analyse(text)]
