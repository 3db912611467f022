"""Prometheus metrics of every gateway call, labelled by provider and purpose."""

from prometheus_client import Counter, Histogram

LATENCY = Histogram(
    "parley_llm_latency_seconds",
    "Time of a gateway call to a provider, until the whole answer.",
    ["provider", "purpose"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
)
FIRST_DELTA = Histogram(
    "parley_llm_first_delta_seconds",
    "Time until the first streamed delta.",
    ["provider", "purpose"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16),
)
TOKENS = Counter("parley_llm_tokens_total", "Tokens sent and received.", ["provider", "purpose", "direction"])
ERRORS = Counter("parley_llm_errors_total", "Failed gateway calls by outcome.", ["provider", "purpose", "status"])
