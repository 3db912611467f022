"""Vocabulary reads: a learner's items, what is due for review, one item."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from config.exceptions import NotFound
from language.japanese.dictionary import Entry, lookup
from language.japanese.readings import Annotation, annotate
from language.japanese.speech import Accent
from language.japanese.speech import word_accent as _word_accent
from vocabulary.models import ReadingCorrection, VocabularyItem
from vocabulary.services import JAPANESE, READING_SETTINGS

DUE_LIMIT = 50


def vocabulary_list(
    *, user: User, language: str | None = None, mastery: str | None = None, search: str | None = None
) -> QuerySet[VocabularyItem]:
    """The user's items, newest first, narrowed by language, mastery and a phrase/reading/translation search."""
    items = VocabularyItem.objects.filter(user=user)
    if language:
        items = items.filter(language=language.strip().lower())
    if mastery:
        items = items.filter(mastery=mastery)
    if search and search.strip():
        term = search.strip()
        items = items.filter(Q(phrase__icontains=term) | Q(reading__icontains=term) | Q(translation__icontains=term))
    return items


def session_vocabulary(*, user: User, session) -> QuerySet[VocabularyItem]:
    """The user's items collected from one practice session's messages, newest first."""
    return vocabulary_list(user=user, language=session.language).filter(
        source_message__conversation_id=session.conversation_id
    )


def vocabulary_due(
    *, user: User, now: datetime | None = None, limit: int | None = DUE_LIMIT
) -> QuerySet[VocabularyItem]:
    """The user's items due at `now`, most overdue first; `limit=None` leaves the slicing to the caller."""
    items = VocabularyItem.objects.filter(user=user, due_at__lte=now or timezone.now()).order_by("due_at", "id")
    return items[:limit] if limit is not None else items


def vocabulary_get(*, user: User, item_id: uuid.UUID | str) -> VocabularyItem:
    """One of the user's items. Raises NotFound for a missing id or another user's item."""
    try:
        return VocabularyItem.objects.get(user=user, id=item_id)
    except (VocabularyItem.DoesNotExist, ValidationError) as exc:
        raise NotFound("Vocabulary item not found.", code="vocabulary_not_found") from exc


def reading_correction_list(*, user: User, language: str = JAPANESE) -> QuerySet[ReadingCorrection]:
    return ReadingCorrection.objects.filter(user=user, language=language)


def reading_correction_get(*, user: User, correction_id: uuid.UUID | str) -> ReadingCorrection:
    """One of the user's corrections. Raises NotFound for a missing id or another user's correction."""
    try:
        return ReadingCorrection.objects.get(user=user, id=correction_id)
    except (ReadingCorrection.DoesNotExist, ValidationError) as exc:
        raise NotFound("Reading correction not found.", code="reading_correction_not_found") from exc


def reading_settings_get(*, user: User) -> dict[str, bool]:
    """Whether the learner reads Japanese with furigana and with romaji."""
    return {**READING_SETTINGS, **(user.preferences or {}).get("readings", {})}


def text_annotate(*, user: User, text: str) -> Annotation:
    """Readings and romaji of a Japanese text, with the learner's own corrections applied."""
    corrections = dict(reading_correction_list(user=user).values_list("word", "reading"))
    return annotate(text, corrections=corrections)


def word_accent(*, word: str, reading: str) -> Accent | None:
    """The Tokyo pitch accent of a dictionary word over its reading, when Open JTalk knows it."""
    return _word_accent(word, reading)


def dictionary_lookup(*, q: str, limit: int = 10) -> list[Entry]:
    return lookup(q, limit=limit)
