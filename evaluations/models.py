import uuid

from django.db import models
from django.utils import timezone


class MistakeType(models.TextChoices):
    GRAMMAR = "grammar", "Grammar"
    VOCABULARY = "vocabulary", "Vocabulary"
    PARTICLE = "particle", "Particle"
    CONJUGATION = "conjugation", "Conjugation"
    POLITENESS = "politeness", "Politeness"
    SPELLING = "spelling", "Spelling"
    WORD_ORDER = "word_order", "Word order"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Mistake(models.Model):
    """One finding of the turn analysis on a learner's message."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey("conversations.Message", on_delete=models.CASCADE, related_name="mistakes")
    session = models.ForeignKey("conversations.PracticeSession", on_delete=models.CASCADE, related_name="mistakes")
    type = models.CharField(max_length=20, choices=MistakeType.choices, default=MistakeType.OTHER)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    original = models.CharField(max_length=500)
    correction = models.CharField(max_length=2000)
    explanation = models.CharField(max_length=1000, blank=True)
    rule = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=20, default="offline")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["session", "type"], name="mistake_session_type")]

    def __str__(self) -> str:
        return f"{self.type}: {self.original} → {self.correction}"
