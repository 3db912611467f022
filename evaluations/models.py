import uuid

from django.conf import settings
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


class EvaluationStatus(models.TextChoices):
    OK = "ok", "Evaluated"
    FAILED = "failed", "Failed (retryable)"


class Rubric(models.TextChoices):
    LANGUAGE = "language", "Language"
    PROFESSIONAL = "professional", "Professional"


class Evaluation(models.Model):
    """The scored review of one completed practice session; a failed one can be retried."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.OneToOneField("conversations.PracticeSession", on_delete=models.CASCADE, related_name="evaluation")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evaluations")
    status = models.CharField(max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.OK)
    # Copied from the session so history and trends filter without a join.
    preparation_type = models.CharField(max_length=20, blank=True)
    # Which rubric scored it: language sessions and preparation for work are judged differently.
    rubric = models.CharField(max_length=20, choices=Rubric.choices, default=Rubric.PROFESSIONAL)
    universal_scores = models.JSONField(default=dict, blank=True)
    context_scores = models.JSONField(default=dict, blank=True)
    improvement_areas = models.JSONField(default=list, blank=True)
    practice_suggestions = models.JSONField(default=list, blank=True)
    strengths = models.JSONField(default=list, blank=True)
    # Per scored dimension, the learner's own words the score rests on.
    evidence = models.JSONField(default=dict, blank=True)
    # The figures behind the scores: mistakes by kind, goals, target words, register, caps applied.
    details = models.JSONField(default=dict, blank=True)
    overall_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # True when the rule-based offline partner scored the session, not a model.
    offline = models.BooleanField(default=False)
    error_code = models.CharField(max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status", "created_at"], name="evaluation_user_status_created")]

    def __str__(self) -> str:
        return f"Evaluation of {self.session_id}: {self.status} {self.overall_score}"

    @property
    def retryable(self) -> bool:
        return self.status == EvaluationStatus.FAILED
