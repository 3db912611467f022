"""Serializer fields shared by the conversation doors."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.schema import WHITESPACE
from conversations.services.messages import MAX_CONTENT_CHARS
from partner.scenarios.phrases import SPOKEN

# What content_clean accepts: no control characters but tab and line breaks, and something besides
# whitespace (it strips the text first).
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
MESSAGE_PATTERN = rf"^[^{_CONTROL}]*[^{WHITESPACE}{_CONTROL}][^{_CONTROL}]*$"


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": MAX_CONTENT_CHARS, "pattern": MESSAGE_PATTERN})
class MessageTextField(serializers.CharField):
    """The text of a message; conversations.services.messages.content_clean has the last word."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_CONTENT_CHARS)
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "enum": sorted(SPOKEN), "default": "japanese"})
class PracticeLanguageField(serializers.RegexField):
    """A language to practise: the schema lists the ones the partner speaks; session_start refuses
    any other with `language_not_spoken`, which names them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("default", "japanese")
        super().__init__(r"^[a-z_-]{2,40}$", **kwargs)
