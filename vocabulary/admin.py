from django.contrib import admin

from vocabulary.models import ReviewLog, VocabularyItem


class ReviewLogInline(admin.TabularInline):
    model = ReviewLog
    fields = ["reviewed_at", "rating", "due_at", "log"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VocabularyItem)
class VocabularyItemAdmin(admin.ModelAdmin):
    list_display = ["phrase", "reading", "translation", "user", "language", "mastery", "source", "due_at", "created_at"]
    list_filter = ["language", "mastery", "source"]
    search_fields = ["phrase", "translation", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "source_message"]
    readonly_fields = ["id", "card", "due_at", "created_at", "updated_at"]
    date_hierarchy = "created_at"
    inlines = [ReviewLogInline]
