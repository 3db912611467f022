"""Coaching: the learner's profile, the improvement plan, the progress rollup and mistake review cards."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from templates.models import PreparationType

DEFAULT_TONE = "Professional & Confident"


class Profile(models.Model):
    """What the learner prepares for; new sessions inherit its agenda, tone and role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_profile")
    preparation_type = models.CharField(
        max_length=20, choices=PreparationType.choices, default=PreparationType.INTERVIEW, blank=True
    )
    meeting_subtype = models.CharField(max_length=100, blank=True)
    agenda = models.TextField(blank=True)
    tone = models.CharField(max_length=100, default=DEFAULT_TONE, blank=True)
    role = models.CharField(max_length=200, blank=True, help_text="The role or seat the learner prepares for.")
    # Stored only after PII redaction (coaching.redaction).
    cv_text = models.TextField(blank=True)
    structured_profile = models.JSONField(default=dict, blank=True)
    story_bank = models.JSONField(default=list, blank=True)
    training_focus = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Profile of {self.user_id} ({self.preparation_type})"


class ImprovementPlan(models.Model):
    """Focus areas with priorities, rebuilt after each evaluation from the recent weaknesses."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="improvement_plan")
    focus_areas = models.JSONField(default=list, blank=True)
    recommendations = models.JSONField(default=list, blank=True)
    recurring_weaknesses = models.JSONField(default=list, blank=True)
    based_on = models.PositiveIntegerField(default=0, help_text="How many recent evaluations the plan reads.")
    # The same plan computed for each rubric the learner was scored by; the fields above are the latest one's.
    by_rubric = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Plan of {self.user_id}"


class ProgressRollup(models.Model):
    """Running totals updated once per evaluation, so progress reads are one row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_rollup")
    evaluated_sessions = models.PositiveIntegerField(default=0)
    score_total = models.PositiveIntegerField(default=0)
    week_start = models.DateField(null=True, blank=True)
    sessions_this_week = models.PositiveIntegerField(default=0)
    last_practice_on = models.DateField(null=True, blank=True)
    streak_days = models.PositiveIntegerField(default=0)
    best_streak_days = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"Progress of {self.user_id}"


class CardVariant(models.TextChoices):
    MAIN = "main", "The mistake itself"
    EXTRA = "extra", "Extra practice of a recurring kind"


class MistakeCard(models.Model):
    """A mistake brought back for review, scheduled by fsrs beside the vocabulary items."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mistake_cards")
    mistake = models.ForeignKey("evaluations.Mistake", on_delete=models.CASCADE, related_name="review_cards")
    variant = models.CharField(max_length=10, choices=CardVariant.choices, default=CardVariant.MAIN)
    # fsrs's Card.to_dict(); due_at mirrors card["due"] for the indexed "what is due" query.
    card = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0, help_text="Reviews rated 'again'.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["mistake", "variant"], name="mistake_card_unique_variant")]
        indexes = [models.Index(fields=["user", "due_at"], name="mistake_card_user_due")]

    def __str__(self) -> str:
        return f"{self.variant} card of {self.mistake_id}"
