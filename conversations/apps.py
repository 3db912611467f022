from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        # Registers the practice partner's prompts and offline handlers with the gateway.
        from conversations.partner import offline, prompts  # noqa: F401
