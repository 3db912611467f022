import json

from django.contrib import admin
from django.utils.html import format_html

from ai.models import AIInteraction


@admin.register(AIInteraction)
class AIInteractionAdmin(admin.ModelAdmin):
    """Read-only: the rows are an audit trail of what was sent to and received from the LLMs."""

    list_display = ["created_at", "purpose", "provider", "model", "status", "fallback", "user", "latency_ms"]
    list_filter = ["purpose", "status", "provider", "fallback"]
    search_fields = ["user__email", "response", "error", "conversation__id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    # The prompt as it was sent, its shared texts put back, rather than the row's references to them.
    exclude = ["stored_prompt"]
    readonly_fields = ["prompt_sent"]

    @admin.display(description="Prompt")
    def prompt_sent(self, obj: AIInteraction) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.prompt, ensure_ascii=False, indent=2))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
