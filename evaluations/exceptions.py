from config.exceptions import Conflict, NotFound


class EvaluationNotFound(NotFound):
    default_message = "Evaluation not found."


class EvaluationNotAllowed(Conflict):
    code = "evaluation_not_allowed"
    default_message = "This session cannot be evaluated."
