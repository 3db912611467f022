"""Template reads for the API, the practice-session service and the assistant's tools."""

from django.db.models import QuerySet

from templates.exceptions import TemplateNotFound
from templates.models import ConversationTemplate


def template_list(
    *, language: str | None = None, level: str | None = None, mode: str | None = None, topic: str | None = None
) -> QuerySet[ConversationTemplate]:
    """Active templates in the model's ordering, narrowed by whichever filters are given."""
    filters = {"language": language, "level": level, "mode": mode, "topic": topic}
    given = {name: value for name, value in filters.items() if value}
    return ConversationTemplate.objects.filter(is_active=True, **given)


def template_get(*, slug: str, language: str | None = None, level: str | None = None) -> ConversationTemplate:
    """The active template with this slug; the first by ordering when several languages or levels share it.

    Raises TemplateNotFound (404).
    """
    template = template_list(language=language, level=level).filter(slug=slug).first()
    if template is None:
        raise TemplateNotFound()
    return template
