from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "conversations"

    def ready(self):
        from accounts.signals import signed_out
        from conversations.events import sockets_close

        # Signing out closes the user's sockets.
        signed_out.connect(sockets_close, dispatch_uid="conversations.sockets_close")
