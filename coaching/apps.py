from django.apps import AppConfig


class CoachingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "coaching"

    def ready(self):
        # Registers the offline partner's `cv_structure` and `advice` handlers with the gateway.
        from coaching import advice, cv  # noqa: F401
        from coaching.cards import due_targets_pick, mistake_cards_make, targets_review
        from coaching.interviewer import offline_interviewer_reply
        from coaching.progress import plan_update, rollup_record
        from coaching.selectors import training_focus_title
        from coaching.services import profile_context_for
        from conversations.services.sessions import context_provider_register, focus_seeder_register, opening_register
        from evaluations.services import focus_source_register
        from evaluations.signals import evaluation_stored, mistakes_recorded, targets_checked
        from partner.offline import offline_mode_reply_register

        # Offline, the partner of an interview-mode session asks the interviewer's questions.
        offline_mode_reply_register(mode="interview", reply=offline_interviewer_reply)
        # An interview session without a template opens with the interviewer's welcome and first question.
        opening_register(mode="interview", opening=offline_interviewer_reply)

        # An interview session started without context takes it from the learner's profile.
        context_provider_register(mode="interview", provider=profile_context_for)

        # "due" sessions are seeded from the review queue, and what they practised counts as reviews.
        focus_seeder_register(focus="due", seeder=due_targets_pick)

        # An evaluation of a session that names no focus looks for the learner's training focus.
        focus_source_register(training_focus_title)

        def progress_record(sender, *, user_id, evaluation, **kwargs):
            rollup_record(user_id=user_id, evaluation=evaluation)
            plan_update(user_id=user_id)

        # Each stored evaluation counts in the progress rollup and rebuilds the plan, in its transaction.
        evaluation_stored.connect(progress_record, dispatch_uid="coaching.progress_record", weak=False)

        def practised_reviewed(sender, *, session, practised, **kwargs):
            targets_review(session=session, practised=practised)

        targets_checked.connect(practised_reviewed, dispatch_uid="coaching.practised_reviewed", weak=False)

        def cards_made(sender, *, user, mistakes, **kwargs):
            mistake_cards_make(user=user, mistakes=mistakes)

        # Every mistake becomes a review card when it is recorded, so reading the queue writes nothing.
        mistakes_recorded.connect(cards_made, dispatch_uid="coaching.cards_made", weak=False)
