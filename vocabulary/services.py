"""Vocabulary use-cases: add by hand, tag from the AI's reply, edit, delete, review."""

import re
import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from fsrs import Card, Rating, Scheduler, State

from accounts.models import User
from config.exceptions import NotFound, ParleyError
from conversations.models import Message
from language.japanese.dictionary import lookup
from language.japanese.readings import KANA_READING, annotate, to_hiragana
from language.japanese.text import tag
from partner.hints import hint_position
from vocabulary.models import Mastery, ReadingCorrection, ReviewLog, ReviewRating, Source, VocabularyItem

# fsrs's defaults (90% desired retention, 1 and 10 minute learning steps, fuzzed intervals).
SCHEDULER = Scheduler()

# An item counts as mastered once fsrs has it in Review with a stability of three weeks or more:
# the learner is predicted to still recall it after 21 days, Anki's line between "young" and
# "mature" cards.
MASTERED_STABILITY_DAYS = 21.0

_MAX_LENGTHS = {
    "phrase": VocabularyItem._meta.get_field("phrase").max_length,
    "reading": VocabularyItem._meta.get_field("reading").max_length,
    "translation": VocabularyItem._meta.get_field("translation").max_length,
}
JAPANESE = "japanese"
READING_SETTINGS = {"furigana": True, "romaji": False}  # what a learner sees before choosing
_SENTENCE_END = re.compile(r"(?<=[。！？!?.])\s*|\n+")


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _card_new(*, now: datetime) -> dict:
    # card_id only links fsrs's own review logs to a card; ours hang off the item instead.
    return Card(card_id=int(now.timestamp() * 1000), due=now).to_dict()


def _source_message_check(*, user: User, source_message: Message | uuid.UUID) -> Message:
    """The message, if it is in a conversation the user is still a member of. Raises NotFound."""
    message_id = source_message.pk if isinstance(source_message, Message) else source_message
    message = Message.objects.filter(
        id=message_id,
        conversation__memberships__user=user,
        conversation__memberships__left_at__isnull=True,
    ).first()
    if message is None:
        raise NotFound("Message not found.", code="message_not_found")
    return message


def _dictionary_fill(*, phrase: str, reading: str, translation: str) -> tuple[str, str]:
    """The reading and translation of a Japanese word from the dictionary where the learner gave none.

    Only a single word (as written, or conjugated: 食べました) is filled in; a longer phrase would get
    the meaning of its first word.
    """
    if reading and translation:
        return reading, translation
    words = [t for t in tag(phrase).tokens if t.pos1 not in ("助詞", "助動詞", "補助記号", "空白")]
    entries = lookup(phrase, limit=1)
    if not entries or len(words) > 1 and phrase not in (entries[0].word, entries[0].reading):
        return reading, translation
    segments = annotate(phrase).segments if not reading else ()
    if any(segment.reading for segment in segments):
        # A word in kana is its own reading; one with kanji gets the kana of the whole phrase.
        reading = "".join(segment.reading or to_hiragana(segment.text) for segment in segments)
    if not translation:
        translation = entries[0].glosses[0][: _MAX_LENGTHS["translation"]] if entries[0].glosses else ""
    return reading[: _MAX_LENGTHS["reading"]], translation


def _item_upsert(
    *,
    user: User,
    phrase: str,
    language: str,
    translation: str,
    reading: str,
    context_sentence: str,
    source_message: Message | None,
    source: str,
    known: VocabularyItem | None = None,
) -> tuple[VocabularyItem, bool]:
    """The learner's item for the phrase, created or completed; `known`: the item, when the caller
    has read it already (vocabulary_tag_from_ai reads a reply's phrases at once)."""
    if language == JAPANESE:
        reading, translation = _dictionary_fill(phrase=phrase, reading=reading, translation=translation)
    item, created = known, False
    if known is None:
        now = timezone.now()
        item, created = VocabularyItem.objects.get_or_create(
            user=user,
            language=language,
            phrase=phrase,
            defaults={
                "translation": translation,
                "reading": reading,
                "context_sentence": context_sentence,
                "source_message": source_message,
                "source": source,
                "card": _card_new(now=now),
                "due_at": now,
                "created_at": now,
            },
        )
    if created:
        return item, True
    # Adding again fills in what the item lacked and never overwrites what the learner wrote.
    changed = []
    for field, value in (("translation", translation), ("reading", reading), ("context_sentence", context_sentence)):
        if value and not getattr(item, field):
            setattr(item, field, value)
            changed.append(field)
    if source_message is not None and item.source_message_id is None:
        item.source_message = source_message
        changed.append("source_message")
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    return item, False


def _input_check(*, phrase: str, language: str, source: str) -> None:
    fields = {}
    if not phrase:
        fields["phrase"] = ["This field may not be blank."]
    elif len(phrase) > _MAX_LENGTHS["phrase"]:
        fields["phrase"] = [f"Ensure this field has no more than {_MAX_LENGTHS['phrase']} characters."]
    if not language:
        fields["language"] = ["This field may not be blank."]
    if source not in Source.values:
        fields["source"] = [f'"{source}" is not a valid choice.']
    if fields:
        raise ParleyError(next(iter(fields.values()))[0], fields=fields)


@transaction.atomic
def vocabulary_add(
    *,
    user: User,
    phrase: str,
    language: str,
    translation: str = "",
    reading: str = "",
    context_sentence: str = "",
    source_message: Message | uuid.UUID | None = None,
    source: str = Source.MANUAL,
) -> tuple[VocabularyItem, bool]:
    """Keep a phrase once per user and language; returns (item, created).

    Adding a phrase the learner already has returns that item, filling in fields it lacked.
    Raises NotFound when source_message is not in one of the user's conversations, and
    ParleyError on a blank phrase or language or an unknown source.
    """
    phrase, language = _clean(phrase), _clean(language).lower()
    _input_check(phrase=phrase, language=language, source=source)
    message = _source_message_check(user=user, source_message=source_message) if source_message else None
    return _item_upsert(
        user=user,
        phrase=phrase,
        language=language,
        translation=_clean(translation),
        reading=_clean(reading),
        context_sentence=context_sentence.strip(),
        source_message=message,
        source=source,
    )


def _sentence_containing(*, text: str, phrase: str, reading: str, language: str) -> str:
    """The sentence of `text` saying the phrase, filled in or in kana as it may be (partner.hints)."""
    return next(
        (
            sentence.strip()
            for sentence in _SENTENCE_END.split(text)
            if hint_position(phrase=phrase, reading=reading, text=sentence, language=language) is not None
        ),
        "",
    )


def reply_words_keep(*, session, message: Message, tags) -> list[VocabularyItem]:
    """The phrases tagged in the partner's reply, just stored in the learner's own session (conversations'
    turn analysis): vocabulary_tag_from_ai without checking the source again."""
    return vocabulary_tag_from_ai(
        user=session.user,
        items=[tag.model_dump() for tag in tags],
        language=session.language,
        source_message=message,
        source_checked=True,
    )


def vocabulary_tag_from_ai(
    *, user: User, items: list[dict], language: str, source_message: Message, source_checked: bool = False
) -> list[VocabularyItem]:
    """Keep the phrases the AI tagged in its reply; returns the items created or found.

    Items are `{"phrase", "reading"?, "translation"?}`; blank, over-long and repeated phrases are
    skipped. The context sentence is the sentence of the reply holding the phrase. Raises
    NotFound when source_message is not in one of the user's conversations, unless the caller
    vouches for it (`source_checked`: a reply it just stored in the user's own session). No
    transaction of its own: each item is kept whole by itself (a reply's phrases are mostly known,
    and then reading them is all it does).
    """
    message = source_message if source_checked else _source_message_check(user=user, source_message=source_message)
    language = _clean(language).lower()
    tagged = {}
    for raw in items:
        phrase = _clean(str(raw.get("phrase") or "")) if isinstance(raw, dict) else ""
        if phrase and len(phrase) <= _MAX_LENGTHS["phrase"]:
            tagged.setdefault(phrase, raw)
    # The learner's items for the phrases in one query: a reply's phrases are mostly known already.
    known = {
        item.phrase: item
        for item in VocabularyItem.objects.filter(user=user, language=language, phrase__in=list(tagged))
    }
    kept: dict[str, VocabularyItem] = {}
    for phrase, raw in tagged.items():
        reading = _clean(str(raw.get("reading") or ""))[: _MAX_LENGTHS["reading"]]
        kept[phrase], _ = _item_upsert(
            user=user,
            phrase=phrase,
            language=language,
            translation=_clean(str(raw.get("translation") or ""))[: _MAX_LENGTHS["translation"]],
            reading=reading,
            context_sentence=_sentence_containing(
                text=message.content, phrase=phrase, reading=reading, language=language
            ),
            source_message=message,
            source=Source.AI,
            known=known.get(phrase),
        )
    return list(kept.values())


def vocabulary_update(
    *,
    item: VocabularyItem,
    mastery: str | None = None,
    translation: str | None = None,
    reading: str | None = None,
    context_sentence: str | None = None,
) -> VocabularyItem:
    """Change what the learner may edit; None leaves a field as it is. Raises ParleyError on a bad mastery."""
    if mastery is not None and mastery not in Mastery.values:
        message = f'"{mastery}" is not a valid choice.'
        raise ParleyError(f"mastery: {message}", fields={"mastery": [message]})
    changes = {
        "mastery": mastery,
        "translation": _clean(translation) if translation is not None else None,
        "reading": _clean(reading) if reading is not None else None,
        "context_sentence": context_sentence.strip() if context_sentence is not None else None,
    }
    changed = [field for field, value in changes.items() if value is not None]
    for field in changed:
        setattr(item, field, changes[field])
    if changed:
        item.save(update_fields=[*changed, "updated_at"])
    return item


def vocabulary_delete(*, item: VocabularyItem) -> None:
    """Forget an item and its review history."""
    item.delete()


def _rating_parse(rating: int | str) -> ReviewRating:
    value = str(rating).strip().lower()
    for choice in ReviewRating:
        if value in (str(choice.value), choice.label.lower()):
            return choice
    message = "Rating must be 1-4 or one of again, hard, good, easy."
    raise ParleyError(message, fields={"rating": [message]})


def _mastery_after(*, card: Card, rating: ReviewRating, mastery: str) -> str:
    if rating == ReviewRating.AGAIN:
        return Mastery.LEARNING
    if card.state == State.Review and (card.stability or 0) >= MASTERED_STABILITY_DAYS:
        return Mastery.MASTERED
    # The learner's own "mastered" stands until they forget the item.
    return Mastery.MASTERED if mastery == Mastery.MASTERED else Mastery.LEARNING


@transaction.atomic
def vocabulary_review(*, item: VocabularyItem, rating: int | str) -> VocabularyItem:
    """Record a review and let fsrs schedule the next one.

    rating is 1-4 or again|hard|good|easy. Mastery follows: learning after a review, mastered
    once fsrs's stability reaches MASTERED_STABILITY_DAYS in the Review state, back to learning
    on "again". Raises ParleyError on a bad rating.
    """
    choice = _rating_parse(rating)
    # Two reviews sent at once (a double tap) must each start from the other's result.
    item = VocabularyItem.objects.select_for_update().get(pk=item.pk)
    now = timezone.now()
    card = Card.from_dict(item.card or _card_new(now=now))
    card, log = SCHEDULER.review_card(card, Rating(choice.value), review_datetime=now)
    item.card = card.to_dict()
    item.due_at = card.due
    item.mastery = _mastery_after(card=card, rating=choice, mastery=item.mastery)
    item.save(update_fields=["card", "due_at", "mastery", "updated_at"])
    ReviewLog.objects.create(item=item, rating=choice, reviewed_at=now, log=log.to_dict(), due_at=card.due)
    return item


READING_INVALID = "Write the reading in hiragana or katakana, up to 100 characters."


def reading_correct(*, user: User, word: str, reading: str, language: str = JAPANESE) -> ReadingCorrection:
    """Keep the learner's reading of a word, replacing the one they gave before. Raises ParleyError on bad input."""
    word, reading = _clean(word), _clean(reading)
    fields = {}
    if not word or len(word) > ReadingCorrection._meta.get_field("word").max_length:
        fields["word"] = ["Give the word as written, up to 50 characters."]
    if not KANA_READING.fullmatch(reading) or len(reading) > ReadingCorrection._meta.get_field("reading").max_length:
        fields["reading"] = [READING_INVALID]
    if fields:
        raise ParleyError(next(iter(fields.values()))[0], fields=fields)
    correction, _ = ReadingCorrection.objects.update_or_create(
        user=user, language=language, word=word, defaults={"reading": to_hiragana(reading)}
    )
    return correction


def reading_correction_delete(*, correction: ReadingCorrection) -> None:
    """Go back to the dictionary's reading of the word."""
    correction.delete()


@transaction.atomic
def reading_settings_update(*, user: User, furigana: bool | None = None, romaji: bool | None = None) -> dict[str, bool]:
    """Remember whether the learner reads Japanese with furigana and with romaji; None keeps a choice."""
    user = User.objects.select_for_update().get(pk=user.pk)
    current = {**READING_SETTINGS, **(user.preferences or {}).get("readings", {})}
    for name, value in (("furigana", furigana), ("romaji", romaji)):
        if value is not None:
            current[name] = bool(value)
    user.preferences = {**(user.preferences or {}), "readings": current}
    user.save(update_fields=["preferences"])
    return current
