from django.contrib import admin

from evaluations.models import Mistake


@admin.register(Mistake)
class MistakeAdmin(admin.ModelAdmin):
    list_display = ["original", "correction", "type", "severity", "rule", "source", "session", "created_at"]
    list_filter = ["type", "severity", "source"]
    search_fields = ["original", "correction", "explanation", "session__user__email"]
    raw_id_fields = ["message", "session"]
