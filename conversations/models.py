"""Conversations: the one thing every message belongs to, practice with the AI and talk between people."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from templates.models import PreparationType


class ConversationKind(models.TextChoices):
    PRACTICE = "practice", "Practice with the AI"
    ASSISTANT = "assistant", "Assistant"
    DIRECT = "direct", "Direct message"
    GROUP = "group", "Group"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=ConversationKind.choices)
    title = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # The pair of user ids ("<smaller>:<larger>") of a direct conversation: unique, so two
    # first messages sent at the same moment from both sides end in one conversation.
    direct_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    # The next seq to hand out; read and bumped under a row lock so seqs have no gaps.
    next_seq = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-created_at"]
        indexes = [models.Index(fields=["kind", "-last_message_at"], name="conv_kind_last_msg")]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.id}"


class MembershipRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class MembershipQuerySet(models.QuerySet):
    def active(self):
        """Members who have not left (or been removed): the only ones who may see the conversation."""
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    """Who is in a conversation. You may see a conversation only while you are a member."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    delivered_up_to_seq = models.PositiveBigIntegerField(default=0)
    read_up_to_seq = models.PositiveBigIntegerField(default=0)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="membership_unique_user"),
        ]
        indexes = [models.Index(fields=["user", "left_at"], name="membership_user_active")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class MessageRole(models.TextChoices):
    USER = "user", "User"
    ASSISTANT = "assistant", "Assistant"
    SYSTEM = "system", "System"


class MessageState(models.TextChoices):
    COMPLETE = "complete", "Complete"
    STREAMING = "streaming", "Streaming"
    FAILED = "failed", "Failed"
    # Cut short by the learner: the text is what was written before the stop.
    STOPPED = "stopped", "Stopped"
    # Replaced by a regenerated reply or an edited turn; kept so seqs stay gap-free, shown nowhere.
    SUPERSEDED = "superseded", "Superseded"


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    # Null for the AI partner.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages_sent"
    )
    role = models.CharField(max_length=10, choices=MessageRole.choices)
    content = models.TextField(blank=True)
    seq = models.PositiveBigIntegerField()
    # NULL, not "", for "no client id", so the partial unique constraint ignores those rows.
    client_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    state = models.CharField(max_length=10, choices=MessageState.choices, default=MessageState.COMPLETE)
    meta = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_unique_seq"),
            models.UniqueConstraint(
                fields=["sender", "client_id"],
                condition=models.Q(client_id__isnull=False, sender__isnull=False),
                name="message_unique_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.role}"


class SessionMode(models.TextChoices):
    LANGUAGE = "language", "Language practice"
    INTERVIEW = "interview", "Interview and meeting rehearsal"
    ASSISTANT = "assistant", "Assistant"


class Strictness(models.TextChoices):
    GENTLE = "gentle", "Gentle"
    BALANCED = "balanced", "Balanced"
    STRICT = "strict", "Strict"


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ARCHIVED = "archived", "Archived"


class FlagVariant(models.TextChoices):
    TEMPLATE = "template", "Template-driven"
    FREE_FORM = "free_form", "Free-form"


class PracticeSession(models.Model):
    """A learner's practice with the AI partner; its messages live in the one-to-one conversation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="practice_session")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_sessions")
    mode = models.CharField(max_length=20, choices=SessionMode.choices, default=SessionMode.LANGUAGE)
    language = models.CharField(max_length=40)
    level = models.CharField(max_length=40, default="beginner")
    persona = models.CharField(max_length=200, default="friendly")
    strictness = models.CharField(max_length=10, choices=Strictness.choices, default=Strictness.BALANCED)
    template = models.ForeignKey(
        "templates.ConversationTemplate", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    preparation_type = models.CharField(max_length=20, choices=PreparationType.choices, blank=True)
    meeting_subtype = models.CharField(max_length=100, blank=True)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS)
    summary = models.TextField(blank=True)
    # Turns up to this seq are folded into `summary`; later ones go to the prompt verbatim.
    summary_up_to_seq = models.PositiveBigIntegerField(default=0)
    flag_variant = models.CharField(max_length=20, choices=FlagVariant.choices, default=FlagVariant.TEMPLATE)
    user_turns = models.PositiveIntegerField(default=0)
    # Where the session is in its scenario script: beat, slots, lines said, goals reached (partner.scenarios.engine).
    scenario = models.JSONField(default=dict, blank=True)
    # The learner's last attempt at the same scenario, so the review can set the two side by side.
    previous_attempt = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_attempts"
    )
    # "due": seeded from the review queue; `targets` are the words and structures the partner steers toward:
    # [{"card_id", "kind": "vocabulary" | "mistake", "text", "hint"}].
    focus = models.CharField(max_length=20, blank=True)
    targets = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status", "-created_at"], name="session_user_status_created")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.language}/{self.level} ({self.status})"


class Block(models.Model):
    """`blocker` refuses direct messages with `blocked` (both ways); groups are unaffected."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"
