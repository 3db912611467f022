"""The gateway's errors: one public family for callers, a small private one for adapters."""

from rest_framework import status

from config.exceptions import ParleyError


class AIUnavailable(ParleyError):
    """The AI could not answer; callers send the `ai_unavailable` event or a 503."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "ai_unavailable"
    default_message = "The AI partner is unavailable right now. Please retry in a moment."


class AIMalformedOutput(AIUnavailable):
    code = "ai_malformed_output"
    default_message = "The AI answered in a form Parley could not read. Please retry."


class AIRateLimited(AIUnavailable):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "ai_rate_limited"
    default_message = "You are sending requests to the AI too quickly. Please wait a minute."


class AIBudgetExceeded(AIUnavailable):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "ai_budget_exceeded"
    default_message = "You have used today's AI allowance. It renews tomorrow."


class ProviderError(Exception):
    """An adapter's failure in SDK-free terms; `transient` ones are retried."""

    status = "error"

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after
        # What the provider answered before failing, kept on the audit row.
        self.text = ""


class ProviderTimeout(ProviderError):
    status = "timeout"

    def __init__(self, message: str = "the provider did not answer in time"):
        super().__init__(message, transient=True)


class MalformedOutput(ProviderError):
    """The answer did not parse or did not match the schema: retried once like a transient error."""

    status = "malformed"

    def __init__(self, message: str):
        super().__init__(message, transient=True)


class IncompleteStream(ProviderError):
    """The stream ended without a finish reason: the text so far is not a whole reply."""

    def __init__(self, message: str = "the stream ended before the reply was complete"):
        super().__init__(message, transient=True)
