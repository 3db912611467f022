import uuid

from django.db import models


class Language(models.TextChoices):
    ENGLISH = "english", "English"
    JAPANESE = "japanese", "Japanese"
    SPANISH = "spanish", "Spanish"
    FRENCH = "french", "French"
    GERMAN = "german", "German"
    ITALIAN = "italian", "Italian"
    PORTUGUESE = "portuguese", "Portuguese"
    CHINESE = "chinese", "Chinese"
    KOREAN = "korean", "Korean"


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Mode(models.TextChoices):
    LANGUAGE = "language", "Language practice"
    INTERVIEW = "interview", "Interview and meeting rehearsal"


class PreparationType(models.TextChoices):
    INTERVIEW = "Interview", "Interview"
    CORPORATE = "Corporate", "Corporate"
    PITCH = "Pitch", "Pitch"
    SALES = "Sales", "Sales"
    PRESENTATION = "Presentation", "Presentation"
    OTHER = "Other", "Other"


class ConversationTemplate(models.Model):
    """A prompt scaffold for a practice session, loaded from content/templates/<language>/<level>/<slug>.yaml."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=100)
    language = models.CharField(max_length=20, choices=Language.choices)
    level = models.CharField(max_length=20, choices=Level.choices)
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=100)
    description = models.TextField()
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.LANGUAGE)
    preparation_type = models.CharField(max_length=20, choices=PreparationType.choices, blank=True)
    meeting_subtype = models.CharField(max_length=100, blank=True)
    persona = models.JSONField(default=dict)
    system_prompt = models.TextField()
    starter_turns = models.JSONField(default=list)
    vocab_hints = models.JSONField(default=list, blank=True)
    goals = models.JSONField(default=list)
    tags = models.JSONField(default=list, blank=True)
    script = models.JSONField(
        default=dict, blank=True, help_text="The scenario the offline partner follows; empty when unscripted."
    )
    is_active = models.BooleanField(default=True)
    source_path = models.CharField(max_length=500, blank=True, help_text="Blank when the row was made in the admin.")
    source_hash = models.CharField(max_length=64, blank=True, help_text="sha256 of the file at the last load.")
    edited_in_admin = models.BooleanField(
        default=False,
        help_text="Set when saved in the admin; the next seed keeps the edit unless the file itself changed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language", "level", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["language", "level", "slug"], name="template_unique_language_level_slug"),
        ]
        indexes = [models.Index(fields=["is_active", "language", "level"], name="template_active_lang_level")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}/{self.level})"

    @property
    def opening_turn(self) -> dict | None:
        """The first partner starter turn: the session's opening message."""
        return next((turn for turn in self.starter_turns if turn.get("speaker") == "partner"), None)
