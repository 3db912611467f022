"""The practice prompts: how the partner's typed requests become chat messages for the real providers."""

import json
from itertools import groupby
from typing import Any

from ai import PromptText, Shared, register_prompt
from ai.types import ReplyRequest, SummaryRequest, TurnAnalysisRequest, VocabularyRequest

STRICTNESS = {
    "gentle": "Correct only mistakes that block understanding, briefly and kindly.",
    "balanced": "Now and then recast a mistake naturally in your reply, without lecturing.",
    "strict": "Point out each clear mistake briefly, then carry on with the conversation.",
}

Messages = list[dict[str, Any]]
# A line of a system message, and whether many turns send it alike (the session's persona and
# scaffold, the scenario's facts, the hints) rather than this turn alone (where the scenario
# stands, the summary): the audit rows keep the shared runs once (ai.prompts).
Line = tuple[str, bool]


def _system_text(lines: list[Line]) -> PromptText:
    """The lines joined by newlines, each run of shared lines a Shared part."""
    parts: list[str] = []
    for shared, run in groupby(lines, key=lambda line: line[1]):
        text = "\n".join(line for line, _ in run)
        if parts:
            parts.append("\n")
        parts.append(Shared(text) if shared else text)
    return PromptText(*parts)


def reply_messages(request: ReplyRequest) -> Messages:
    """System message with persona, strictness, scaffold, hints and summary; then the recent turns."""
    persona = request.persona
    lines: list[Line] = [
        (f"You are {persona.name}, a {persona.role}. Your style is {persona.style}.", True),
        (f"Talk with the learner in {request.language} at {request.level} level ({request.mode} practice).", True),
        ("Keep replies short (one to three sentences) and end with something the learner can answer.", True),
        (STRICTNESS[request.strictness], True),
    ]
    if request.system_prompt:
        lines.append((request.system_prompt, True))
    if request.scenario is not None:
        lines += _scenario_lines(request.scenario)
    # Only the starter turns still ahead: the ones already spoken are in the history or the summary.
    elif upcoming := request.starter_turns[request.partner_step :]:
        lines.append(("Guide the conversation through these turns in order:", False))
        lines += [(f"- {turn}", False) for turn in upcoming]
    if request.vocab_hints:
        lines.append(("Weave in these phrases where natural:", True))
        lines += [
            (f"- {h.phrase} ({h.reading}): {h.translation}".replace(" ()", ""), True) for h in request.vocab_hints
        ]
    if request.summary:
        lines.append((f"Summary of the conversation so far:\n{request.summary}", False))
    messages: Messages = [{"role": "system", "content": _system_text(lines)}]
    messages += [{"role": turn.role, "content": turn.content} for turn in request.recent_turns]
    messages.append({"role": "user", "content": request.user_text})
    return messages


def _scenario_lines(scenario) -> list[Line]:
    """The scenario script, as far as this turn goes: what the partner knows, where it is, what is left."""
    lines: list[Line] = []
    if scenario.facts:
        lines.append(("What you can tell the learner about yourself and this place, if asked:", True))
        lines += [(f"- {fact}", True) for fact in scenario.facts]
    if scenario.finished:
        lines.append(("The scenario is complete: thank the learner warmly and close the conversation.", False))
    elif scenario.current:
        lines.append((f"React briefly to what the learner just said, then ask: {scenario.current}", False))
    if scenario.goals_open:
        lines.append(("The learner still wants to practise:", False))
        lines += [(f"- {goal}", False) for goal in scenario.goals_open]
    lines.append(("Call the learner only by the name they gave you; never give them another name.", True))
    return lines


def summary_messages(request: SummaryRequest) -> Messages:
    transcript = "\n".join(f"{turn.role}: {turn.content}" for turn in request.turns)
    return [
        {
            "role": "system",
            "content": "Update the running summary of a language-practice conversation in at most 8 short "
            f'sentences, in {request.language}. Answer as JSON: {{"summary": "..."}}.',
        },
        {
            "role": "user",
            "content": f"Summary so far:\n{request.previous_summary or '(none)'}\n\nNew turns:\n{transcript}",
        },
    ]


def vocabulary_messages(request: VocabularyRequest) -> Messages:
    hints = json.dumps([h.model_dump() for h in request.hints], ensure_ascii=False)
    return [
        {
            "role": "system",
            "content": f"List up to 10 phrases from the text worth learning for a {request.level} learner of "
            f"{request.language}, preferring these hints when present: {hints}. Answer as JSON: "
            '{"items": [{"phrase": "...", "reading": "...", "translation": "..."}]}.',
        },
        {"role": "user", "content": request.text},
    ]


def analysis_messages(request: TurnAnalysisRequest) -> Messages:
    instructions = Shared(
        f"You check a {request.level} learner's {request.language}. {STRICTNESS[request.strictness]} "
        'Report at most 3 findings as JSON: {"findings": [{"type": grammar|vocabulary|particle|'
        'conjugation|politeness|spelling|word order|other, "severity": low|medium|high, "original": '
        '"...", "correction": "...", "explanation": "...", "rule": "..."}]}. No findings: {"findings": []}.'
    )
    content = instructions
    if request.goals:
        # The goals still open change as the learner reaches them: the audit rows keep them each.
        goals = "\n".join(f"- {goal.id}: {goal.text}" for goal in request.goals)
        content = PromptText(
            instructions,
            "\nThe learner is practising a scenario with these goals still open:\n"
            f'{goals}\nAlso answer "goals_reached": the ids of the goals this turn achieves '
            "(the learner did it, even with small mistakes), [] if none.",
        )
    return [{"role": "system", "content": content}, {"role": "user", "content": request.text}]


register_prompt("reply", reply_messages)
register_prompt("summary", summary_messages)
register_prompt("vocabulary", vocabulary_messages)
register_prompt("analyse_turn", analysis_messages)
