from django.apps import AppConfig


class PartnerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partner"

    def ready(self):
        # Registers the practice partner's prompts and offline handlers with the gateway.
        from partner import offline, prompts  # noqa: F401
