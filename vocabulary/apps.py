from django.apps import AppConfig


class VocabularyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "vocabulary"

    def ready(self):
        from conversations.services.analysis import finding_store_register
        from conversations.views import chat_panel_register
        from vocabulary.selectors import session_vocabulary
        from vocabulary.services import reply_words_keep

        # The words tagged in the partner's replies are kept.
        finding_store_register(kind="vocabulary", store=reply_words_keep)

        # The chat page lists the words collected in the session.
        chat_panel_register(name="vocabulary", provider=session_vocabulary)
