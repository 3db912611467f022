"""Practice metrics on the Prometheus endpoint: replies, their latency and errors, session length."""

from prometheus_client import Counter, Histogram

SESSION_REPLIES = Counter("parley_session_replies_total", "Partner replies in practice sessions", ["mode", "outcome"])
REPLY_LATENCY = Histogram(
    "parley_session_reply_seconds",
    "Time to the complete partner reply",
    ["mode"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
SESSION_MESSAGES = Histogram(
    "parley_session_messages", "Learner messages per ended session", buckets=(0, 1, 3, 5, 10, 20, 50, 100)
)
SESSION_SECONDS = Histogram(
    "parley_session_length_seconds", "Length of ended sessions", buckets=(30, 60, 300, 600, 1800, 3600, 7200)
)


def observe_reply(*, session, ok: bool, latency_ms: int | None = None) -> None:
    SESSION_REPLIES.labels(session.mode, "ok" if ok else "ai_unavailable").inc()
    if latency_ms is not None:
        REPLY_LATENCY.labels(session.mode).observe(latency_ms / 1000)


def observe_session_end(*, session) -> None:
    SESSION_MESSAGES.observe(session.user_turns)
    if session.ended_at:
        SESSION_SECONDS.observe((session.ended_at - session.created_at).total_seconds())
