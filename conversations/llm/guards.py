"""Per-user rate limit and daily token budget, and a per-provider circuit breaker, all in the cache.

The cache is Redis in production, so every process sees the same counters and the same open
breaker. Values are timestamps compared with time.time() rather than sub-second TTLs, because
Redis rounds expiries to whole seconds.
"""

import math
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from conversations.llm.errors import AIBudgetExceeded, AIRateLimited

DAY_SECONDS = 86_400


def _count(key: str, amount: int, ttl: int) -> int:
    # add() then incr() so two processes racing on a new window both count.
    cache.add(key, 0, ttl)
    try:
        return cache.incr(key, amount)
    except ValueError:
        cache.set(key, amount, ttl)
        return amount


def _budget_key(user_id: Any) -> str:
    return f"llm:tokens:{user_id}:{datetime.now(UTC).date().isoformat()}"


def admit(*, user_id: Any) -> None:
    """Count one request for the user; raise AIRateLimited or AIBudgetExceeded to refuse it."""
    if user_id is None:
        return
    rate = settings.LLM_USER_RATE
    if rate and _count(f"llm:rate:{user_id}:{int(time.time() // 60)}", 1, 120) > rate:
        raise AIRateLimited()
    budget = settings.LLM_DAILY_TOKEN_BUDGET
    if budget and (cache.get(_budget_key(user_id)) or 0) >= budget:
        raise AIBudgetExceeded()


def budget_spend(*, user_id: Any, tokens: int) -> None:
    if user_id is not None and tokens > 0:
        _count(_budget_key(user_id), tokens, 2 * DAY_SECONDS)


def breaker_is_open(*, provider: str) -> bool:
    open_until = cache.get(f"llm:breaker:{provider}:open_until")
    return open_until is not None and open_until > time.time()


def breaker_failure(*, provider: str) -> None:
    """Count a failed call; at the threshold the breaker opens for the cooldown.

    Failures stay counted after the cooldown, so the first call let through (half-open) reopens
    the breaker if it fails too; one success closes it.
    """
    cooldown = settings.LLM_BREAKER_COOLDOWN_SECONDS
    failures = _count(f"llm:breaker:{provider}:failures", 1, max(60, math.ceil(cooldown * 4)))
    if failures >= settings.LLM_BREAKER_THRESHOLD:
        cache.set(f"llm:breaker:{provider}:open_until", time.time() + cooldown, math.ceil(cooldown) + 1)


def breaker_success(*, provider: str) -> None:
    cache.delete(f"llm:breaker:{provider}:failures")
