"""Per-user rate limit and daily token budget, and a per-provider circuit breaker, all in the cache.

They guard the LLM providers: the engine never admits or settles a call the offline partner
answers, which costs nothing and cannot be down.

The cache is Redis in production, so every process sees the same counters and the same open
breaker. Values are timestamps compared with time.time() rather than sub-second TTLs, because
Redis rounds expiries to whole seconds.
"""

import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from ai.errors import AIBudgetExceeded, AIRateLimited
from config.cache import counter_add

DAY_SECONDS = 86_400


def _budget_key(user_id: Any) -> str:
    return f"llm:tokens:{user_id}:{datetime.now(UTC).date().isoformat()}"


def _breaker_key(provider: str) -> str:
    return f"llm:breaker:{provider}:open_until"


def _failures_key(provider: str) -> str:
    return f"llm:breaker:{provider}:failures"


def admit(*, user_id: Any, providers: Sequence[str] = ()) -> tuple[set[str], set[str]]:
    """Count one request for the user; raise AIRateLimited or AIBudgetExceeded to refuse it.

    Returns which of `providers` have their breaker open and which have failures counted, read in
    the same cache trip as the budget: a success only needs to clear failures that were there.
    """
    budget = settings.LLM_DAILY_TOKEN_BUDGET if user_id is not None else 0
    rate = settings.LLM_USER_RATE if user_id is not None else 0
    if rate and counter_add(f"llm:rate:{user_id}:{int(time.time() // 60)}", 1, 120) > rate:
        raise AIRateLimited()
    keys = [_breaker_key(provider) for provider in providers] + [_failures_key(provider) for provider in providers]
    keys += [_budget_key(user_id)] if budget else []
    values = cache.get_many(keys) if keys else {}
    if budget and (values.get(_budget_key(user_id)) or 0) >= budget:
        raise AIBudgetExceeded()
    now = time.time()
    open_breakers = {provider for provider in providers if (values.get(_breaker_key(provider)) or 0) > now}
    failing = {provider for provider in providers if values.get(_failures_key(provider))}
    return open_breakers, failing


def budget_spend(*, user_id: Any, tokens: int) -> None:
    if user_id is not None and tokens > 0:
        counter_add(_budget_key(user_id), tokens, 2 * DAY_SECONDS)


def breaker_is_open(*, provider: str) -> bool:
    open_until = cache.get(_breaker_key(provider))
    return open_until is not None and open_until > time.time()


def breaker_failure(*, provider: str) -> None:
    """Count a failed call; at the threshold the breaker opens for the cooldown.

    Failures stay counted after the cooldown, so the first call let through (half-open) reopens
    the breaker if it fails too; one success closes it.
    """
    cooldown = settings.LLM_BREAKER_COOLDOWN_SECONDS
    failures = counter_add(_failures_key(provider), 1, max(60, math.ceil(cooldown * 4)))
    if failures >= settings.LLM_BREAKER_THRESHOLD:
        cache.set(_breaker_key(provider), time.time() + cooldown, math.ceil(cooldown) + 1)


def breaker_success(*, provider: str) -> None:
    cache.delete(_failures_key(provider))
