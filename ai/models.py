"""AIInteraction: one row per gateway call, whatever its outcome, so every prompt can be audited.

What many calls send alike (a system message, a template's scaffold) is a PromptPart, stored once
and referred to by its SHA-256 from each row that sent it (ai.prompts): a reply's row keeps only
what was particular to its turn, and `prompt` puts the whole back together.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ai.prompts import Messages, prompt_references, prompt_restored, prompt_stored
from ai.status import InteractionStatus
from config.compiled import CompiledInsert

__all__ = ["AIInteraction", "InteractionStatus", "PromptPart", "interactions_insert"]

# The PromptParts this process knows are stored, so the usual call inserts none. Noted once the
# insert is committed (a rolled-back one is forgotten); emptied when the tables are (apps.py).
_parts_stored: set[str] = set()
_PARTS_REMEMBERED = 100_000


class PromptPart(models.Model):
    """A text many gateway calls sent alike, stored once under its SHA-256 (hex)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.sha256


def prompt_parts_store(texts: dict[str, str]) -> None:
    """Store the shared texts this process has not stored yet: one INSERT that skips those stored
    by another process, none at all in the usual call."""
    new = {digest: text for digest, text in texts.items() if digest not in _parts_stored}
    if not new:
        return
    PromptPart.objects.bulk_create(
        [PromptPart(sha256=digest, text=text) for digest, text in new.items()], ignore_conflicts=True
    )
    transaction.on_commit(lambda: _parts_remember(new))


def _parts_remember(digests) -> None:
    if len(_parts_stored) >= _PARTS_REMEMBERED:
        _parts_stored.clear()
    _parts_stored.update(digests)


def prompt_parts_forget() -> None:
    """Forget which PromptParts are stored (their table was emptied)."""
    _parts_stored.clear()


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
    # The prompt with its shared texts as references to PromptParts (ai.prompts.prompt_stored); read
    # and write `prompt`. Rows written before there were PromptParts keep theirs whole.
    stored_prompt = models.JSONField(default=list, blank=True, db_column="prompt")
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

    def save(self, *args, **kwargs) -> None:
        # The shared texts the prompt refers to first (none to write in the usual call).
        prompt_parts_store(self._shared_texts_taken())
        super().save(*args, **kwargs)

    def _shared_texts_taken(self) -> dict[str, str]:
        return self.__dict__.pop("_shared_texts", None) or {}

    @property
    def prompt(self) -> Messages:
        """The prompt as it was sent (its shared texts read in one query, the first time)."""
        restored = self.__dict__.get("_prompt")
        if restored is None:
            digests = prompt_references(self.stored_prompt)
            texts = (
                {part.sha256: part.text for part in PromptPart.objects.filter(sha256__in=digests)} if digests else {}
            )
            restored = self._prompt = prompt_restored(self.stored_prompt, texts)
        return restored

    @prompt.setter
    def prompt(self, messages: Messages) -> None:
        self.stored_prompt, self._shared_texts = prompt_stored(messages)
        self._prompt = messages


_INSERT = CompiledInsert(AIInteraction)


def interactions_insert(rows: list[AIInteraction]) -> None:
    """New rows in one INSERT (compiled once, config.compiled), the shared texts their prompts refer
    to stored first, as `save()` does."""
    texts = {}
    for row in rows:
        texts.update(row._shared_texts_taken())
    prompt_parts_store(texts)
    _INSERT.insert(rows)
