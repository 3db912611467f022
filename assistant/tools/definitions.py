"""The assistant's tools: each reads or writes only the calling user's data, through services and selectors."""

from collections import Counter
from typing import Annotated, Any, Literal

from django.db.models import Count
from pydantic import Field

from assistant.tools.registry import tool
from coaching.selectors import trends_get
from conversations import selectors
from conversations.models import SessionStatus, Strictness
from conversations.services.sessions import session_start
from evaluations import selectors as evaluation_selectors
from evaluations.models import MistakeType
from templates.models import Language, Level
from templates.selectors import template_list
from vocabulary import selectors as vocabulary_selectors
from vocabulary.models import Mastery
from vocabulary.services import vocabulary_add

DEFAULT_LANGUAGE = "japanese"
DEFAULT_LEVEL = "beginner"
EVALUATIONS_SUMMARISED = 20

LanguageArg = Annotated[
    Literal["", *Language.values], Field(description="A language such as japanese; empty for every language.")
]
LevelArg = Annotated[
    Literal["", *Level.values], Field(description="beginner, intermediate or advanced; empty for any.")
]
Limit = Annotated[int, Field(ge=1, le=50, description="At most this many items.")]

# What to work on for each kind of mistake, phrased for the learner.
FOCUS = {
    "grammar": "sentence patterns: rebuild your last sentences slowly, one clause at a time",
    "vocabulary": "word choice: reuse the words you saved in fresh sentences",
    "particle": "particles (は, が, を, に, で): check each one before you send",
    "conjugation": "verb forms: practise past, negative and polite forms of the verbs you use",
    "politeness": "politeness: keep one register (です/ます or plain) through a conversation",
    "spelling": "spelling and script: write slowly and reread before sending",
    "word_order": "word order: put the verb at the end and the topic first",
    "other": "a general conversation to keep the momentum",
}


def _vocabulary_item(item) -> dict[str, Any]:
    return {
        "phrase": item.phrase,
        "reading": item.reading,
        "translation": item.translation,
        "language": item.language,
        "mastery": item.mastery,
    }


def _template(template) -> dict[str, Any]:
    return {
        "slug": template.slug,
        "title": template.title,
        "language": template.language,
        "level": template.level,
        "topic": template.topic,
        "mode": template.mode,
        "description": template.description,
    }


def _counts(queryset, field: str) -> dict[str, int]:
    rows = queryset.order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}


def _mistakes_by_type(*, user) -> dict[str, int]:
    counts = _counts(evaluation_selectors.mistake_list(user=user), "type")
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _latest_session(*, user):
    return selectors.session_list(user=user).first()


@tool("List the learner's saved vocabulary, newest first, narrowed by language and mastery.")
def list_vocabulary(
    *,
    user,
    language: LanguageArg = "",
    mastery: Annotated[Literal["", *Mastery.values], Field(description="new, learning or mastered.")] = "",
    limit: Limit = 20,
) -> dict[str, Any]:
    items = vocabulary_selectors.vocabulary_list(user=user, language=language or None, mastery=mastery or None)
    return {"count": items.count(), "items": [_vocabulary_item(i) for i in items[:limit]]}


@tool("Search the learner's vocabulary by phrase, reading or translation.")
def search_vocabulary(
    *,
    user,
    query: Annotated[str, Field(min_length=1, max_length=200, description="Text to look for.")],
    language: LanguageArg = "",
    limit: Limit = 20,
) -> dict[str, Any]:
    items = vocabulary_selectors.vocabulary_list(user=user, language=language or None, search=query)
    return {"query": query, "count": items.count(), "items": [_vocabulary_item(i) for i in items[:limit]]}


@tool("Save a phrase to the learner's vocabulary (adding one they already have keeps the existing item).")
def add_vocabulary(
    *,
    user,
    phrase: Annotated[str, Field(min_length=1, max_length=200, description="The word or phrase to keep.")],
    language: Annotated[
        Literal["", *Language.values],
        Field(description="The phrase's language; empty for the language of the latest practice session."),
    ] = "",
    translation: Annotated[str, Field(max_length=500)] = "",
    reading: Annotated[str, Field(max_length=200)] = "",
) -> dict[str, Any]:
    if not language:
        latest = _latest_session(user=user)
        language = latest.language if latest else DEFAULT_LANGUAGE
    item, created = vocabulary_add(
        user=user, phrase=phrase, language=language, translation=translation, reading=reading
    )
    return {"created": created, "item": _vocabulary_item(item)}


@tool("List the learner's most recent mistakes, newest first, optionally of one type, with counts by type.")
def list_mistakes(
    *,
    user,
    type: Annotated[  # noqa: A002 (the argument's name in the schema the model sees)
        Literal["", *MistakeType.values], Field(description="Only mistakes of this type; empty for all.")
    ] = "",
    limit: Limit = 10,
) -> dict[str, Any]:
    mistakes = evaluation_selectors.mistake_list(user=user, type=type or None).order_by("-created_at")[:limit]
    return {
        "by_type": _mistakes_by_type(user=user),
        "items": [
            {
                "type": m.type,
                "severity": m.severity,
                "original": m.original,
                "correction": m.correction,
                "explanation": m.explanation,
                "created_at": m.created_at.isoformat(),
            }
            for m in mistakes
        ],
    }


@tool("List practice templates (scenarios) by language and level.")
def list_templates(*, user, language: LanguageArg = "", level: LevelArg = "", limit: Limit = 20) -> dict[str, Any]:
    templates = template_list(language=language or None, level=level or None)
    return {"count": templates.count(), "items": [_template(t) for t in templates[:limit]]}


def _evaluation_summary(*, user) -> dict[str, Any]:
    """Overall scores of the learner's recent evaluated sessions, from coaching's trends."""
    trends = trends_get(user=user, limit=EVALUATIONS_SUMMARISED)
    scores = [point["score"] for point in trends["overall"] if point["score"] is not None]
    return {
        "evaluated_sessions": len(trends["overall"]),
        "latest_overall_score": scores[-1] if scores else None,
        "average_overall_score": round(sum(scores) / len(scores), 1) if scores else None,
        "improvement_velocity": trends["improvement_velocity"],
        "recurring_weaknesses": trends["recurring_weaknesses"],
    }


@tool("Summarise the learner's progress: sessions by status, mistakes by type, vocabulary by mastery, evaluations.")
def progress_summary(*, user) -> dict[str, Any]:
    return {
        "sessions": {s: selectors.session_list(user=user, status=s).count() for s in SessionStatus.values},
        "mistakes_by_type": _mistakes_by_type(user=user),
        "vocabulary_by_mastery": _counts(vocabulary_selectors.vocabulary_list(user=user), "mastery"),
        "evaluations": _evaluation_summary(user=user),
    }


@tool("Suggest what to practise next: a template and a focus drawn from the learner's most frequent mistakes.")
def suggest_practice(*, user, language: LanguageArg = "", level: LevelArg = "") -> dict[str, Any]:
    latest = _latest_session(user=user)
    language = language or (latest.language if latest else DEFAULT_LANGUAGE)
    level = level or (latest.level if latest else DEFAULT_LEVEL)
    recent = evaluation_selectors.mistake_list(user=user).order_by("-created_at").values_list("type", flat=True)[:50]
    frequent = Counter(recent).most_common(1)
    focus_type, count = frequent[0] if frequent else ("other", 0)
    practised = set(selectors.session_list(user=user).values_list("template_id", flat=True))
    candidates = list(template_list(language=language, level=level)) or list(template_list(language=language))
    fresh = [t for t in candidates if t.id not in practised]
    template = (fresh or candidates or [None])[0]
    reason = (
        f"{count} of your recent mistakes were {focus_type.replace('_', ' ')}."
        if count
        else "No mistakes recorded yet, so any conversation is a good next step."
    )
    return {
        "language": language,
        "level": level,
        "focus": {"mistake_type": focus_type, "recent_count": count, "advice": FOCUS[focus_type]},
        "template": _template(template) if template else None,
        "reason": reason + (" This template is one you have not tried yet." if fresh else ""),
    }


@tool("Start a practice session for the learner, from a template slug or a language and level.")
def start_practice(
    *,
    user,
    template: Annotated[str, Field(max_length=100, description="A template slug; empty to pick one.")] = "",
    language: LanguageArg = "",
    level: LevelArg = "",
    strictness: Literal[*Strictness.values] = Strictness.BALANCED.value,
) -> dict[str, Any]:
    # A template decides the language, level and mode (a rehearsal template makes an interview session).
    session = session_start(
        user=user,
        mode="language",
        language=language,
        level=level,
        strictness=strictness,
        template=template or None,
    )
    opening = selectors.transcript_get(session=session).first()
    return {
        "session_id": str(session.id),
        "conversation_id": str(session.conversation_id),
        "title": session.conversation.title,
        "mode": session.mode,
        "language": session.language,
        "level": session.level,
        "template": session.template.slug if session.template else None,
        "opening_message": opening.content if opening else None,
    }
