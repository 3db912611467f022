from django.contrib import admin

from ai.models import AIInteraction


@admin.register(AIInteraction)
class AIInteractionAdmin(admin.ModelAdmin):
    """Read-only: the rows are an audit trail of what was sent to and received from the LLMs."""

    list_display = ["created_at", "purpose", "provider", "model", "status", "fallback", "user", "latency_ms"]
    list_filter = ["purpose", "status", "provider", "fallback"]
    search_fields = ["user__email", "response", "error", "conversation__id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
