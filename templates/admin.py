import json

from django import forms
from django.contrib import admin, messages
from django.forms.fields import InvalidJSONInput
from pydantic import ValidationError

from templates import services
from templates.models import ConversationTemplate
from templates.schema import error_lines, template_content_validate

JSON_FIELDS = ["persona", "starter_turns", "vocab_hints", "goals", "tags", "script"]
SCHEMA_FIELDS = ["slug", "title", "topic", "description", "mode", "system_prompt", *JSON_FIELDS]


class IndentedJSONField(forms.JSONField):
    """Shows JSON indented and unescaped so editors can read Japanese and nested turns."""

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


class ConversationTemplateForm(forms.ModelForm):
    class Meta:
        model = ConversationTemplate
        fields = [
            "title",
            "slug",
            "language",
            "level",
            "topic",
            "description",
            "tags",
            "is_active",
            "mode",
            "preparation_type",
            "meeting_subtype",
            "persona",
            "system_prompt",
            "starter_turns",
            "vocab_hints",
            "goals",
            "script",
        ]
        field_classes = dict.fromkeys(JSON_FIELDS, IndentedJSONField)
        widgets = {name: forms.Textarea(attrs={"rows": 12, "cols": 100}) for name in JSON_FIELDS}

    def clean(self):
        """Check the structured fields with the same schema the seed command uses."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        data = {name: cleaned.get(name) for name in SCHEMA_FIELDS}
        data["preparation_type"] = cleaned.get("preparation_type") or None
        data["meeting_subtype"] = cleaned.get("meeting_subtype") or None
        data["script"] = cleaned.get("script") or None
        try:
            content = template_content_validate(data=data, language=cleaned.get("language"))
        except ValidationError as exc:
            for path, message in error_lines(exc):
                field, _, inner = path.partition(".")
                self.add_error(field if field in self.fields else None, f"{inner}: {message}" if inner else message)
            return cleaned
        normalised = content.row_fields()
        for name in JSON_FIELDS:
            cleaned[name] = normalised[name]
        return cleaned


@admin.register(ConversationTemplate)
class ConversationTemplateAdmin(admin.ModelAdmin):
    form = ConversationTemplateForm
    list_display = ["title", "slug", "language", "level", "mode", "topic", "is_active", "edited_in_admin", "updated_at"]
    list_filter = ["language", "level", "mode", "is_active", "edited_in_admin"]
    search_fields = ["title", "slug", "topic", "description"]
    readonly_fields = ["id", "source_path", "source_hash", "edited_in_admin", "created_at", "updated_at"]
    actions = ["release_to_files"]
    fieldsets = [
        (None, {"fields": ["id", "title", "slug", "language", "level", "topic", "description", "tags", "is_active"]}),
        ("Coaching", {"fields": ["mode", "preparation_type", "meeting_subtype"]}),
        ("Conversation", {"fields": ["persona", "system_prompt", "starter_turns", "vocab_hints", "goals", "script"]}),
        ("Source", {"fields": ["source_path", "source_hash", "edited_in_admin", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.template_admin_save(template=obj)

    @admin.action(description="Let the files win: the next seed restores these rows from their files")
    def release_to_files(self, request, queryset):
        count = services.templates_release_to_files(templates=queryset)
        self.message_user(request, f"{count} template(s) will follow their files again.", messages.SUCCESS)
