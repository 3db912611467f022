from django.apps import AppConfig


class CoachingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coaching"

    def ready(self):
        # Registers the offline partner's `cv_structure` and `advice` handlers with the gateway.
        from coaching import advice, cv  # noqa: F401
