from django.apps import AppConfig


class TemplatesConfig(AppConfig):
    verbose_name = "Conversation templates"
    default_auto_field = "django.db.models.BigAutoField"
    name = "templates"
