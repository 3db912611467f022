"""How a gateway call ended, as stored on its AIInteraction row."""

from django.db import models


class InteractionStatus(models.TextChoices):
    OK = "ok", "OK"
    ERROR = "error", "Error"
    TIMEOUT = "timeout", "Timeout"
    RATE_LIMITED = "rate_limited", "Rate limited"
    BUDGET_EXCEEDED = "budget_exceeded", "Budget exceeded"
    CIRCUIT_OPEN = "circuit_open", "Circuit open"
    MALFORMED = "malformed", "Malformed output"
