from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"

    def ready(self):
        # Registers the offline partner's `evaluation` handler with the gateway.
        from conversations.consumers import frame_handler_register
        from conversations.services.analysis import finding_store_register
        from conversations.services.sessions import session_judge_register
        from conversations.signals import turn_replaced
        from conversations.views import chat_panel_register
        from evaluations import offline  # noqa: F401
        from evaluations.selectors import mistake_list, turn_mistakes
        from evaluations.services import mistakes_forget, mistakes_record, session_judge
        from evaluations.socket import on_end_session

        # An ended session (REST, page or the socket's `end_session`) is evaluated at once.
        session_judge_register(judge=session_judge)
        frame_handler_register("end_session", on_end_session)

        # A turn's findings are kept as mistakes; an edited turn's are dropped.
        finding_store_register(kind="mistakes", store=mistakes_record, read=turn_mistakes)
        turn_replaced.connect(mistakes_forget, dispatch_uid="evaluations.mistakes_forget")

        # The chat page lists the session's mistakes.
        chat_panel_register(
            name="mistakes", provider=lambda *, user, session: mistake_list(user=user, session_id=session.id)
        )
