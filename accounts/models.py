import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Provider(models.TextChoices):
    LOCAL = "local", "Email and password"
    GOOGLE = "google", "Google"


class ActivationState(models.TextChoices):
    NEW = "new", "New"
    ACTIVATED = "activated", "Activated"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, *, username=None, provider=Provider.LOCAL, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        email = self.normalize_email(email).lower()
        user = self.model(
            email=email,
            username=username or self.model.username_from_email(email),
            provider=provider,
            **extra,
        )
        if provider == Provider.LOCAL and password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, email, password, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, username=username, **extra)


# What a chosen username may hold, spelt out in ASCII: `\w` means every Unicode letter to Python but only
# ASCII ones to the JSON Schema (ECMA) readers of the published pattern, so a client and the server would
# disagree about "ç". Real names, in any script, go in the display name.
USERNAME_PATTERN = r"^[A-Za-z0-9_.@+-]+$"


class User(AbstractBaseUser, PermissionsMixin):
    """A Parley account. An email may exist once per sign-in provider."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField()
    username = models.CharField(max_length=150, unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    provider = models.CharField(max_length=20, choices=Provider.choices, default=Provider.LOCAL)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    activation_state = models.CharField(max_length=20, choices=ActivationState.choices, default=ActivationState.NEW)
    is_online = models.BooleanField(default=False)
    last_seen = models.DateTimeField(null=True, blank=True)
    preferences = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "provider"], name="user_unique_email_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.provider})"

    @classmethod
    def username_from_email(cls, email: str) -> str:
        """A unique username derived from the email's local part."""
        base = "".join(ch for ch in email.split("@")[0] if ch.isalnum() or ch in "._-")[:140] or "user"
        candidate = base
        while cls.objects.filter(username=candidate).exists():
            candidate = f"{base}-{uuid.uuid4().hex[:6]}"
        return candidate
