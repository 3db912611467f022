"""The offline partner's assistant: picks a tool by simple intent rules, then answers from its result.

It reads the chat messages the agent loop sends (`purpose="assistant"`): when the learner's last
message has no tool results after it, it asks for a tool; once the results are there, it answers
from them. It never pretends to understand more than these rules.
"""

import json
import re
from typing import Any

from ai import ToolCall, register_offline_handler
from ai.providers.base import Completion
from evaluations.models import MistakeType

_ADD = re.compile(r"\badd\s+[\"'「『]?(?P<phrase>.+?)[\"'」』]?\s+to\s+my\s+(vocabulary|vocab|words|list)\b", re.I)
_SUGGEST = re.compile(r"what should i (practi[cs]e|work on|do next)|suggest|next practice", re.I)
_PROGRESS = re.compile(r"\bprogress\b|how am i doing", re.I)
_MISTAKES = re.compile(r"\bmistakes?\b|\berrors?\b", re.I)
_VOCABULARY = re.compile(r"\bvocabulary\b|\bvocab\b|\bwords\b", re.I)
_TEMPLATES = re.compile(r"\btemplates?\b|\bscenarios?\b", re.I)

HELP = (
    "I am the offline assistant, so I only understand a few requests: ask about your vocabulary or "
    "words, your mistakes, your progress, what you should practise next, the templates, or say "
    '"add <phrase> to my vocabulary".'
)


def _intent(text: str) -> tuple[str, dict[str, Any]] | None:
    """The tool and arguments a request asks for, by the first rule that matches."""
    if match := _ADD.search(text):
        return "add_vocabulary", {"phrase": match["phrase"].strip()}
    if _SUGGEST.search(text):
        return "suggest_practice", {}
    if _PROGRESS.search(text):
        return "progress_summary", {}
    if _MISTAKES.search(text):
        kind = next((t for t in MistakeType.values if t.replace("_", " ") in text.lower()), "")
        return "list_mistakes", {"type": kind} if kind else {}
    if _VOCABULARY.search(text):
        return "list_vocabulary", {}
    if _TEMPLATES.search(text):
        return "list_templates", {}
    return None


def _vocabulary(data: dict) -> str:
    if not data["items"]:
        return "Your vocabulary list is empty so far."
    shown = ", ".join(
        f"{i['phrase']} ({i['translation']})" if i["translation"] else i["phrase"] for i in data["items"][:10]
    )
    return f"You have {data['count']} saved phrase(s). The newest: {shown}."


def _mistakes(data: dict) -> str:
    if not data["items"]:
        return "No mistakes recorded yet."
    counts = ", ".join(f"{kind.replace('_', ' ')}: {n}" for kind, n in data["by_type"].items())
    latest = "; ".join(f"{m['original']} → {m['correction']}" for m in data["items"][:5])
    return f"Your mistakes by type: {counts}. Most recent: {latest}."


def _progress(data: dict) -> str:
    sessions = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in data["sessions"].items())
    mistakes = ", ".join(f"{k.replace('_', ' ')}: {n}" for k, n in data["mistakes_by_type"].items()) or "none"
    vocabulary = ", ".join(f"{n} {m}" for m, n in data["vocabulary_by_mastery"].items()) or "none saved"
    evaluations = data["evaluations"]
    scores = (
        f" Average evaluation score: {evaluations['average_overall_score']}."
        if evaluations.get("average_overall_score") is not None
        else ""
    )
    return f"Sessions: {sessions}. Mistakes by type: {mistakes}. Vocabulary: {vocabulary}.{scores}"


def _suggestion(data: dict) -> str:
    template = data["template"]
    where = (
        f'Try "{template["title"]}" ({template["slug"]}, {template["language"]} {template["level"]}).'
        if template
        else f"There is no template for {data['language']} {data['level']} yet."
    )
    return f"{where} Focus on {data['focus']['advice']}. {data['reason']}"


def _added(data: dict) -> str:
    item = data["item"]
    verb = "Added" if data["created"] else "You already had"
    return f"{verb} {item['phrase']} ({item['language']}) in your vocabulary."


def _templates(data: dict) -> str:
    if not data["items"]:
        return "No templates match."
    return "Templates: " + "; ".join(f"{t['title']} ({t['slug']}, {t['level']})" for t in data["items"][:10]) + "."


_ANSWERS = {
    "list_vocabulary": _vocabulary,
    "search_vocabulary": _vocabulary,
    "list_mistakes": _mistakes,
    "progress_summary": _progress,
    "suggest_practice": _suggestion,
    "add_vocabulary": _added,
    "list_templates": _templates,
}


def _answer(messages: list[dict], last_user: int) -> str:
    names = {
        call["id"]: call["function"]["name"]
        for message in messages[last_user:]
        for call in message.get("tool_calls") or []
    }
    parts = []
    for message in messages[last_user:]:
        if message.get("role") != "tool":
            continue
        data = json.loads(message["content"])
        if "error" in data:
            parts.append(f"That did not work: {data['error']}")
        else:
            parts.append(_ANSWERS.get(names.get(message["tool_call_id"]), lambda d: json.dumps(d))(data))
    return " ".join(parts)


def assistant_offline(messages: list[dict]) -> Completion:
    """Ask for one tool when the learner's request matches a rule; answer from its result afterwards."""
    last_user = max(i for i, m in enumerate(messages) if m.get("role") == "user")
    if any(m.get("role") == "tool" for m in messages[last_user:]):
        return Completion(text=_answer(messages, last_user))
    intent = _intent(str(messages[last_user].get("content") or ""))
    if intent is None:
        return Completion(text=HELP)
    name, arguments = intent
    return Completion(text="", tool_calls=[ToolCall(id=f"offline-{last_user}", name=name, arguments=arguments)])


register_offline_handler("assistant", assistant_offline)
