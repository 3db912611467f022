from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"

    def ready(self):
        # Registers the offline partner's `evaluation` handler with the gateway.
        from evaluations import offline  # noqa: F401
