from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ai"
    verbose_name = "AI gateway"

    def ready(self):
        from ai.models import prompt_parts_forget

        # `flush` (a test emptying the tables) sends post_migrate: the stored prompt parts are gone.
        post_migrate.connect(lambda **kwargs: prompt_parts_forget(), sender=self, weak=False)
