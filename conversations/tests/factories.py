from django.core.management import call_command

from conversations.services.sessions import session_start


def seeded_templates() -> None:
    """Load the shipped content/ templates into the test database."""
    call_command("seed_templates", verbosity=0)


def practice_session(*, user, template: str | None = "casual", strictness: str = "balanced", **extra):
    """A Japanese beginner session started the way the API starts one."""
    seeded_templates()
    return session_start(
        user=user,
        mode="language",
        language="japanese",
        level="beginner",
        persona="friendly",
        strictness=strictness,
        template=template,
        **extra,
    )
