from django import template
from django.utils.safestring import mark_safe

from conversations.markdown import markdown_html

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    # Safe to mark: markdown_html escapes the source and sanitises the result with nh3.
    return mark_safe(markdown_html(text or ""))  # noqa: S308
