"""Mistake review cards and the one review queue they share with vocabulary: use-cases that write.

Every mistake becomes a card (front: the learner's sentence with the error marked; back: the
correction and why). A mistake kind that recurs in RECURRING_SESSIONS sessions gets extra cards.
Vocabulary keeps its own fsrs state on the item; reviewing one through the queue calls vocabulary's
own review, so both doors schedule the same card.
"""

import re
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from fsrs import Card, Rating

from coaching.models import CardVariant, MistakeCard
from config.exceptions import NotFound, ParleyError
from conversations.models import PracticeSession
from evaluations.language_rubric import KIND_ADVICE
from evaluations.models import Mistake
from vocabulary.models import ReviewRating, VocabularyItem
from vocabulary.services import SCHEDULER, vocabulary_review

RECURRING_SESSIONS = 3
# What a "due" session practises at most: due words, due mistakes, recurring kinds.
DUE_WORDS = 5
DUE_MISTAKES = 3
DUE_KINDS = 2
LEECH_LAPSES = 4
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Extra cards per recurring kind: its most recent distinct mistakes.
EXTRA_PER_KIND = 3
RATINGS = {"again": ReviewRating.AGAIN, "hard": ReviewRating.HARD, "good": ReviewRating.GOOD, "easy": ReviewRating.EASY}


def _card_new(*, now) -> dict:
    return Card(card_id=int(now.timestamp() * 1000), due=now).to_dict()


def recurring_kinds(*, user) -> list[str]:
    """Mistake kinds the user made in at least RECURRING_SESSIONS different sessions, most widespread first."""
    rows = (
        Mistake.objects.filter(session__user=user)
        .values("type")
        .annotate(sessions=Count("session_id", distinct=True))
        .filter(sessions__gte=RECURRING_SESSIONS)
        .order_by("-sessions", "type")
    )
    return [row["type"] for row in rows]


def _extra_cards(*, user, kinds: list[str], now) -> list[MistakeCard]:
    """Extra cards for those of `kinds` that recur: the most recent distinct mistakes of each lacking one."""
    has_extra = MistakeCard.objects.filter(mistake_id=OuterRef("pk"), variant=CardVariant.EXTRA)
    cards = []
    for kind in kinds:
        latest = Mistake.objects.filter(session__user=user, type=kind).order_by("-created_at")
        chosen, seen = [], set()
        for mistake in latest.annotate(extra=Exists(has_extra)).only("id", "original")[: EXTRA_PER_KIND * 4]:
            if mistake.original in seen:
                continue
            seen.add(mistake.original)
            chosen.append(mistake)
            if len(chosen) == EXTRA_PER_KIND:
                break
        cards += [
            MistakeCard(user=user, mistake=m, variant=CardVariant.EXTRA, card=_card_new(now=now), due_at=now)
            for m in chosen
            if not m.extra
        ]
    return cards


@transaction.atomic
def mistake_cards_make(*, user, mistakes: list[Mistake]) -> int:
    """Give newly recorded mistakes their cards, due at once, and their kinds extra cards if they now recur.

    Called when a turn's mistakes are stored; idempotent (the unique constraint keeps one card of
    each variant per mistake), so recording the same mistakes twice makes nothing new.
    """
    if not mistakes:
        return 0
    now = timezone.now()
    cards = [MistakeCard(user=user, mistake=m, card=_card_new(now=now), due_at=now) for m in mistakes]
    kinds = {m.type for m in mistakes}
    cards += _extra_cards(user=user, kinds=[k for k in recurring_kinds(user=user) if k in kinds], now=now)
    MistakeCard.objects.bulk_create(cards, ignore_conflicts=True)
    return len(cards)


def _rating_parse(rating: str | int) -> ReviewRating:
    value = str(rating).strip().lower()
    for word, choice in RATINGS.items():
        if value in (word, str(choice.value)):
            return choice
    message = "Rating must be one of again, hard, good, easy."
    raise ParleyError(message, fields={"rating": [message]})


@transaction.atomic
def mistake_card_review(*, card: MistakeCard, rating: str | int) -> MistakeCard:
    """Record a review of a mistake card and let fsrs schedule the next; "again" counts a lapse."""
    choice = _rating_parse(rating)
    card = MistakeCard.objects.select_for_update().get(pk=card.pk)
    now = timezone.now()
    state, _ = SCHEDULER.review_card(Card.from_dict(card.card or _card_new(now=now)), Rating(choice.value), now)
    card.card, card.due_at = state.to_dict(), state.due
    card.reviews += 1
    card.lapses += 1 if choice == ReviewRating.AGAIN else 0
    card.save(update_fields=["card", "due_at", "reviews", "lapses", "updated_at"])
    return card


def card_review(*, user, card_id, rating: str | int) -> MistakeCard | VocabularyItem:
    """Review any card of the queue by id: a mistake card, or a vocabulary item through vocabulary's review.

    Raises NotFound for an unknown id or another user's card, ParleyError for a bad rating.
    """
    choice = _rating_parse(rating)
    try:
        card = MistakeCard.objects.filter(id=card_id, user=user).first()
        item = None if card else VocabularyItem.objects.filter(id=card_id, user=user).first()
    except (ValueError, TypeError, DjangoValidationError) as exc:
        raise NotFound("Review card not found.", code="card_not_found") from exc
    if card is not None:
        return mistake_card_review(card=card, rating=choice.value)
    if item is not None:
        return vocabulary_review(item=item, rating=choice.value)
    raise NotFound("Review card not found.", code="card_not_found")


def corrected_fragment(*, sentence: str, correction: str) -> str:
    """The corrected words of a mistake, with a little context: what the learner should say next time.

    わたしを がくせい です → わたしは がくせい です gives わたしは; I go to the school → I go to school
    gives "go to school".
    """
    sentence, correction = " ".join(sentence.split()), " ".join(correction.split())
    changes = [
        op for op in SequenceMatcher(None, sentence, correction, autojunk=False).get_opcodes() if op[0] != "equal"
    ]
    if not changes or not sentence:
        return correction
    start, end = changes[0][3], changes[-1][4]
    if _CJK.search(correction):
        return correction[max(0, start - 3) : min(len(correction), end + 1)].strip(" 。、！？")
    words, position, spans = correction.split(" "), 0, []
    for word in words:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    touched = [i for i, (a, b) in enumerate(spans) if a <= end and b >= start] or [0]
    first, last = max(0, touched[0] - 1), min(len(words) - 1, touched[-1] + 1)
    return " ".join(words[first : last + 1]).strip(" .,!?")


def due_targets_pick(*, user, language: str) -> list[dict]:
    """The targets of a "due" session in `language`: due words, the corrections of due mistakes, and the
    kinds of mistake that keep recurring. Leeches are left out: they need study, not a conversation."""
    now = timezone.now()
    words = (
        VocabularyItem.objects.filter(user=user, language=language, due_at__lte=now)
        .annotate(lapses=Count("review_logs", filter=Q(review_logs__rating=ReviewRating.AGAIN)))
        .filter(lapses__lt=LEECH_LAPSES)
        .order_by("due_at")[:DUE_WORDS]
    )
    mistakes = (
        MistakeCard.objects.filter(
            user=user,
            variant=CardVariant.MAIN,
            mistake__session__language=language,
            due_at__lte=now,
            lapses__lt=LEECH_LAPSES,
        )  # fmt: skip
        .select_related("mistake__message")
        .order_by("due_at")[:DUE_MISTAKES]
    )
    targets = [{"card_id": str(w.id), "kind": "vocabulary", "text": w.phrase, "hint": w.translation} for w in words]
    for card in mistakes:
        mistake = card.mistake
        text = corrected_fragment(sentence=mistake.message.content, correction=mistake.correction)
        if text and text not in {t["text"] for t in targets}:
            targets.append({"card_id": str(card.id), "kind": "mistake", "text": text, "hint": mistake.correction})
    targets += [
        {"card_id": "", "kind": "structure", "text": KIND_ADVICE.get(kind, kind), "hint": kind}
        for kind in recurring_kinds(user=user)[:DUE_KINDS]
    ]
    return targets


def _flat(text: str) -> str:
    return "".join(text.split()).lower()


def _target_rating(*, target: dict, seen: dict | None, slips: list[Mistake], user) -> str | None:
    """How a "due" session reviews one target: good when used correctly, again when the learner made the
    card's own mistake again (the same kind, needing the same fix) or misused the word, nothing when the
    session did not test it."""
    if seen and seen.get("used_correctly"):
        return "good"
    if target.get("kind") == "mistake":
        kind = set(
            MistakeCard.objects.filter(id=target.get("card_id"), user=user).values_list("mistake__type", flat=True)
        )
        fix = _flat(str(target.get("text", "")))
        again = any(
            m.type in kind and _flat(corrected_fragment(sentence=m.message.content, correction=m.correction)) == fix
            for m in slips
        )
        return "again" if fix and again else None
    word = _flat(str(target.get("text", "")))
    return "again" if seen and seen.get("used") and word and any(word in _flat(m.original) for m in slips) else None


@transaction.atomic
def targets_review(*, session, practised: list[dict]) -> int:
    """Review the cards a "due" session practised, once each, and mark them on the session's targets.

    A target used correctly is a good review; the card's mistake made again is an again (a lapse).
    Idempotent: a target marked `reviewed` is not reviewed twice, however often the session ends.
    """
    locked = PracticeSession.objects.select_for_update().get(id=session.id)
    by_card = {t["card_id"]: t for t in practised if t.get("card_id")}
    slips = list(Mistake.objects.filter(session=locked).select_related("message"))
    reviewed, targets = 0, []
    for target in locked.targets:
        card_id = target.get("card_id")
        if card_id and not target.get("reviewed"):
            seen = by_card.get(card_id)
            rating = _target_rating(target=target, seen=seen, slips=slips, user=locked.user)
            if seen:
                target = {
                    **target,
                    "used": seen.get("used", False),
                    "used_correctly": seen.get("used_correctly", False),
                }
            if rating:
                try:
                    card_review(user=locked.user, card_id=card_id, rating=rating)
                except NotFound:
                    rating = None
            if rating:
                target = {**target, "reviewed": rating}
                reviewed += 1
        targets.append(target)
    locked.targets = targets
    locked.save(update_fields=["targets"])
    return reviewed
