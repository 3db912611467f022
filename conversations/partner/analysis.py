"""The analysis of a learner's turn: the local checker first, the provider for what it missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import ai
from conversations.partner.prompts import analysis_messages

if TYPE_CHECKING:
    from accounts.models import User
    from conversations.models import Conversation

# How many findings each strictness reports; only a strict partner mentions minor slips.
_FINDINGS_BY_STRICTNESS = {"gentle": 1, "balanced": 2, "strict": 3}
_MINOR = {"low", "minor"}


async def analyse_turn(
    *,
    user: User | None,
    conversation: Conversation | None,
    text: str,
    language: str,
    level: str,
    strictness: ai.Strictness,
) -> list[dict]:
    """At most 3 findings on the learner's turn, as dicts (type, severity, original, correction, ...).

    For Japanese the local checker runs first (instant, free, private) and its findings lead; the
    provider's analysis adds what it missed. Strictness sets how much is reported: a gentle partner
    points out one important mistake, a balanced one two, a strict one three, minor ones included.
    Raises AIUnavailable only when there is nothing to report without the provider.
    """
    local = _local_findings(language=language, text=text)
    request = ai.TurnAnalysisRequest(language=language, level=level, strictness=strictness, text=text)
    try:
        out = await ai.structured(
            user=user,
            conversation=conversation,
            purpose="analyse_turn",
            schema=ai.Findings,
            messages=analysis_messages(request),
            request=request,
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
    return findings[: _FINDINGS_BY_STRICTNESS[strictness]]


def _local_findings(*, language: str, text: str) -> list[dict]:
    if language.lower() != "japanese":
        return []
    # Imported on the first Japanese turn: a process that never analyses one never loads fugashi.
    from language.japanese import analyse

    return [finding.as_dict() for finding in analyse(text)]
