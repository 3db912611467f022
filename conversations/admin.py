from django.contrib import admin

from conversations.models import Block, Conversation, Membership, Message, PracticeSession


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "joined_at", "left_at", "delivered_up_to_seq", "read_up_to_seq"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    can_delete = False
    raw_id_fields = ["sender"]
    fields = ["seq", "role", "sender", "state", "content", "created_at"]
    readonly_fields = fields
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "created_by", "created_at", "last_message_at"]
    list_filter = ["kind"]
    search_fields = ["id", "title", "created_by__email"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["next_seq", "direct_key"]
    inlines = [MembershipInline, MessageInline]


@admin.register(PracticeSession)
class PracticeSessionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "mode",
        "language",
        "level",
        "strictness",
        "template",
        "status",
        "flag_variant",
        "user_turns",
        "created_at",
    ]
    list_filter = ["mode", "status", "language", "level", "strictness", "flag_variant"]
    search_fields = ["id", "user__email", "conversation__title"]
    raw_id_fields = ["user", "conversation", "template"]
    list_select_related = ["user", "template"]
    date_hierarchy = "created_at"


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "seq", "role", "sender", "state", "created_at"]
    list_filter = ["role", "state"]
    search_fields = ["content", "conversation__id", "sender__email", "client_id"]
    raw_id_fields = ["conversation", "sender"]
    list_select_related = ["sender", "conversation"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    search_fields = ["blocker__email", "blocked__email"]
    raw_id_fields = ["blocker", "blocked"]
