from django.apps import AppConfig


class AssistantConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assistant"

    def ready(self):
        # Registers the tools and the offline assistant's handler with the gateway.
        from assistant import tools  # noqa: F401
        from assistant.socket import on_assistant_message
        from assistant.tools import offline_assistant  # noqa: F401
        from conversations.consumers import frame_handler_register

        # The socket hub hands the assistant's frames to it.
        frame_handler_register("assistant_message", on_assistant_message)
