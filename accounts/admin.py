from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-created_at"]
    list_display = [
        "email",
        "username",
        "provider",
        "activation_state",
        "is_online",
        "last_seen",
        "is_staff",
        "created_at",
    ]
    list_filter = ["provider", "activation_state", "is_online", "is_staff", "is_active"]
    search_fields = ["email", "username", "display_name"]
    readonly_fields = ["id", "created_at", "last_seen", "last_login"]
    fieldsets = [
        (None, {"fields": ["id", "email", "username", "display_name", "provider", "password"]}),
        ("State", {"fields": ["activation_state", "is_online", "last_seen", "preferences"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["created_at", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "username", "password1", "password2"]})]
