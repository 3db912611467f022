from django.apps import AppConfig


class CoachingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coaching"

    def ready(self):
        # Registers the offline partner's `cv_structure` and `advice` handlers with the gateway.
        from coaching import advice, cv  # noqa: F401
        from coaching.cards import due_targets_pick, targets_review
        from conversations.services.sessions import focus_seeder_register
        from evaluations.signals import evaluation_stored

        # "due" sessions are seeded from the review queue, and what they practised counts as reviews.
        focus_seeder_register(focus="due", seeder=due_targets_pick)

        def practised_reviewed(sender, *, evaluation, session, **kwargs):
            targets_review(user=session.user, practised=evaluation.details.get("targets_practised", []))

        evaluation_stored.connect(practised_reviewed, dispatch_uid="coaching.practised_reviewed", weak=False)
