"""Vocabulary: the phrases a learner keeps, and the spaced-repetition state that brings them back."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Mastery(models.TextChoices):
    NEW = "new", "New"
    LEARNING = "learning", "Learning"
    MASTERED = "mastered", "Mastered"


class Source(models.TextChoices):
    MANUAL = "manual", "Added by the learner"
    AI = "ai", "Tagged by the AI partner"


class ReviewRating(models.IntegerChoices):
    """fsrs's four ratings, with the same numbers."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class VocabularyItem(models.Model):
    """One phrase a learner keeps, once per language: adding it again finds this row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vocabulary_items")
    phrase = models.CharField(max_length=200)
    reading = models.CharField(max_length=200, blank=True)
    translation = models.CharField(max_length=500, blank=True)
    context_sentence = models.TextField(blank=True)
    source_message = models.ForeignKey(
        "conversations.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vocabulary_items",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    language = models.CharField(max_length=32)
    mastery = models.CharField(max_length=10, choices=Mastery.choices, default=Mastery.NEW)
    # fsrs's Card.to_dict(); due_at mirrors card["due"] so "what is due" is an indexed range query.
    card = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "language", "phrase"], name="vocabulary_unique_phrase"),
        ]
        indexes = [
            models.Index(fields=["user", "due_at"], name="vocabulary_user_due"),
            models.Index(fields=["user", "-created_at"], name="vocabulary_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.language})"


class ReviewLog(models.Model):
    """One review of an item: the rating given, fsrs's own log, and when the item came due next."""

    item = models.ForeignKey(VocabularyItem, on_delete=models.CASCADE, related_name="review_logs")
    rating = models.PositiveSmallIntegerField(choices=ReviewRating.choices)
    reviewed_at = models.DateTimeField(default=timezone.now)
    log = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [models.Index(fields=["item", "-reviewed_at"], name="vocabulary_review_item")]

    def __str__(self) -> str:
        return f"{self.item_id} rated {self.rating} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class ReadingCorrection(models.Model):
    """A learner's own reading of a word, shown over it in place of the tagger's (羽田 read はねだ, not はた)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_corrections")
    language = models.CharField(max_length=32)
    word = models.CharField(max_length=50)
    reading = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["word", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "language", "word"], name="reading_correction_once_per_word")
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.reading}"
