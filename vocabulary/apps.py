from django.apps import AppConfig


class VocabularyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vocabulary"

    def ready(self):
        from conversations.views import chat_panel_register
        from vocabulary.selectors import session_vocabulary

        # The chat page lists the words collected in the session.
        chat_panel_register(name="vocabulary", provider=session_vocabulary)
