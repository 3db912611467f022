"""AIInteraction: one row per gateway call, whatever its outcome, so every prompt can be audited."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ai.status import InteractionStatus

__all__ = ["AIInteraction", "InteractionStatus"]


class AIInteraction(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ai_interactions"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.SET_NULL, null=True, blank=True, related_name="ai_interactions"
    )
    purpose = models.CharField(max_length=40)
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100, blank=True)
    prompt = models.JSONField(default=list, blank=True)
    response = models.TextField(blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=20, choices=InteractionStatus.choices)
    error = models.TextField(blank=True)
    fallback = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The table the rows were written to when they belonged to the conversations app.
        db_table = "conversations_aiinteraction"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="aiinteraction_user_recent"),
            models.Index(fields=["purpose", "status", "-created_at"], name="aiinteraction_purpose_status"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} via {self.provider}: {self.status}"
