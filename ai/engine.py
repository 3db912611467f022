"""How the gateway runs a call: providers, retries, timeouts, breaker, limits, metrics and audit rows.

Each call walks the provider chain (the primary, then LLM_FALLBACKS). Before its first LLM
provider the call is admitted: counted against the user's rate, checked against their budget,
the breakers read (guards.admit, one cache trip). The offline partner needs none of that: it costs
nothing, cannot be down and calls no one, so a call it answers is never counted, refused or
settled. Per LLM provider: the breaker may fail it fast; otherwise each attempt has a timeout and
transient failures (429, 5xx, timeouts, lost connections, malformed output once) are retried with
exponential backoff and jitter, honouring Retry-After. Whatever happens, one AIInteraction row
per provider tried: written at once, or, for the success of a caller that passed `audit=`, handed
to it to write in a database call of its own (audit_rows_save). When the chain is exhausted the
caller gets one AIUnavailable.
"""

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async
from django.conf import settings
from pydantic import BaseModel
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_exponential_jitter

from ai import guards, metrics
from ai.errors import (
    AIMalformedOutput,
    AIRateLimited,
    AIUnavailable,
    MalformedOutput,
    ProviderError,
    ProviderTimeout,
)
from ai.providers import Completion, Provider, ProviderCall, Usage, provider_chain
from ai.providers.base import parse_structured
from ai.status import InteractionStatus
from ai.types import Delta
from config.db import database_async

if TYPE_CHECKING:
    from ai.models import AIInteraction

logger = logging.getLogger("parley.llm")


@dataclass(slots=True)
class Outcome:
    """What one provider did for one call: enough to write its row, metrics and log line."""

    provider: Provider
    fallback: bool
    started: float
    status: str = InteractionStatus.OK
    text: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    error: str = ""
    # Whether the provider's breaker may have failures to clear on a success (unknown: True).
    failures_seen: bool = True

    @property
    def latency_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)


def _user_id(user: Any) -> Any:
    return getattr(user, "pk", None) if user is not None and getattr(user, "is_authenticated", False) else None


@dataclass(slots=True)
class AuditRow:
    """A call's AIInteraction, built but not yet written, and what writing it settles (an LLM
    provider's breaker, the user's budget). `audit_rows_save` writes it; `id` is the row's then."""

    row: "AIInteraction"
    outcome: Outcome
    user_id: Any

    @property
    def id(self) -> int | None:
        return self.row.pk


def _settle(row: AuditRow) -> None:
    outcome = row.outcome
    name = outcome.provider.name
    # The offline partner costs nothing and cannot be down: it has no budget to spend, no breaker.
    if outcome.provider.offline:
        return
    if outcome.status == InteractionStatus.OK:
        if outcome.failures_seen:
            guards.breaker_success(provider=name)
        guards.budget_spend(user_id=row.user_id, tokens=outcome.tokens_in + outcome.tokens_out)
    elif outcome.status in (InteractionStatus.ERROR, InteractionStatus.TIMEOUT):
        guards.breaker_failure(provider=name)


def audit_rows_save(rows: list[AuditRow]) -> None:
    """Write audit rows and settle what they settle: on a database thread.

    What a caller that passed `audit=` to a gateway call does in a database call of its own: the new
    rows in one INSERT, each settled once it is written. A database call retried after a failure
    may save the rows again: a row written already is updated in place (or written again if its
    transaction rolled back), and not settled again.
    """
    # Imported here: the gateway's functions are importable before the app registry is ready.
    from ai.models import interactions_insert

    new = [row for row in rows if row.row.pk is None]
    for row in rows:
        if row.row.pk is not None:
            row.row.save()
    interactions_insert([row.row for row in new])
    for row in new:
        _settle(row)


_audit_rows_save = database_async(audit_rows_save)


@dataclass(slots=True)
class _Walk:
    """One gateway call on its way through the provider chain, and what its admission read.

    `audit`: where the caller collects the call's row if it succeeds, to write it itself
    (audit_rows_save) in a database call it makes anyway; a failed attempt's row is written at once.
    """

    user_id: Any
    conversation: Any
    purpose: str
    prompt: list
    chain: list[Provider]
    audit: list[AuditRow] | None = None
    # The position of the provider the call was admitted for (its first LLM provider), once it was.
    admitted_at: int | None = None
    open_breakers: set[str] = field(default_factory=set)
    failing: set[str] = field(default_factory=set)

    async def finish(self, outcome: Outcome) -> int | None:
        """Measure, log a failure once, and write the row (or hand it to the caller); its id, once written."""
        name = outcome.provider.name
        if outcome.status == InteractionStatus.OK:
            metrics.LATENCY.labels(name, self.purpose).observe(outcome.latency_ms / 1000)
            metrics.TOKENS.labels(name, self.purpose, "in").inc(outcome.tokens_in)
            metrics.TOKENS.labels(name, self.purpose, "out").inc(outcome.tokens_out)
        else:
            metrics.ERRORS.labels(name, self.purpose, outcome.status).inc()
            logger.warning(
                "llm %s via %s failed (%s) for user %s: %s",
                self.purpose,
                name,
                outcome.status,
                self.user_id,
                outcome.error,
                extra={"provider": name, "purpose": self.purpose, "status": outcome.status, "user_id": self.user_id},
            )
        row = self.row(outcome)
        if outcome.status == InteractionStatus.OK and self.audit is not None:
            self.audit.append(row)
            return None
        await _audit_rows_save([row])
        return row.id

    def row(self, outcome: Outcome) -> AuditRow:
        # Imported here: the gateway's functions are importable before the app registry is ready.
        from ai.models import AIInteraction

        interaction = AIInteraction(
            user_id=self.user_id,
            conversation_id=getattr(self.conversation, "pk", None),
            purpose=self.purpose,
            provider=outcome.provider.name,
            model=outcome.provider.model,
            prompt=self.prompt,
            response=outcome.text,
            tokens_in=outcome.tokens_in,
            tokens_out=outcome.tokens_out,
            latency_ms=outcome.latency_ms,
            status=outcome.status,
            error=outcome.error[:2000],
            fallback=outcome.fallback,
        )
        return AuditRow(row=interaction, outcome=outcome, user_id=self.user_id)


def _should_retry(state: RetryCallState) -> bool:
    exc = state.outcome.exception() if state.outcome else None
    if not isinstance(exc, ProviderError) or not exc.transient:
        return False
    if isinstance(exc, MalformedOutput):
        return state.attempt_number < 2
    # A server asking for a longer pause than a person will wait for a reply is down for us.
    return exc.retry_after is None or exc.retry_after <= settings.LLM_RETRY_MAX_SECONDS


def _retrying() -> AsyncRetrying:
    backoff = wait_exponential_jitter(
        multiplier=settings.LLM_RETRY_BASE_SECONDS,
        max=settings.LLM_RETRY_MAX_SECONDS,
        jitter=settings.LLM_RETRY_BASE_SECONDS,
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        return retry_after if retry_after is not None else backoff(state)

    return AsyncRetrying(
        retry=_should_retry, stop=stop_after_attempt(settings.LLM_MAX_RETRIES + 1), wait=wait, reraise=True
    )


async def _timed(awaitable: Awaitable[Any], timeout: float) -> Any:
    try:
        async with asyncio.timeout(timeout):
            return await awaitable
    except TimeoutError as exc:
        raise ProviderTimeout() from exc


async def _attempted(provider: Provider, attempt: Callable[[], Awaitable[Any]], timeout: float) -> Any:
    """What `attempt` returns, each try timed out and transient failures retried; the offline
    partner's tried once, bare: it answers from memory, so it neither hangs nor fails in a way a
    second try would change, and the retry machinery would cost more than its answer."""
    if provider.offline:
        return await attempt()
    async for retry in _retrying():
        with retry:
            return await _timed(attempt(), timeout)


async def _admit(walk: _Walk, position: int) -> None:
    """Admit the call before its first LLM provider, at `position`; refuse an over-limit user (with a row).

    The breakers of that provider and of those after it are read in the same cache trip.
    """
    provider = walk.chain[position]
    try:
        walk.open_breakers, walk.failing = await sync_to_async(guards.admit, thread_sensitive=False)(
            user_id=walk.user_id, providers=[p.name for p in walk.chain[position:] if not p.offline]
        )
    except AIUnavailable as exc:
        limited = isinstance(exc, AIRateLimited)
        outcome = Outcome(
            provider=provider,
            fallback=position > 0,
            started=time.perf_counter(),
            status=InteractionStatus.RATE_LIMITED if limited else InteractionStatus.BUDGET_EXCEEDED,
            error=exc.message,
        )
        await walk.finish(outcome)
        raise
    walk.admitted_at = position


async def _attempt_start(walk: _Walk, provider: Provider, position: int) -> Outcome:
    """The outcome of trying `provider`, the call admitted first if it is an LLM's; raises AIUnavailable."""
    if not provider.offline and walk.admitted_at is None:
        await _admit(walk, position)
    return Outcome(
        provider=provider,
        fallback=position > 0,
        started=time.perf_counter(),
        failures_seen=not provider.offline and (position != walk.admitted_at or provider.name in walk.failing),
    )


async def _breaker_refuse(walk: _Walk, outcome: Outcome, position: int) -> None:
    """Raise ProviderError, the attempt recorded as `circuit_open`, when the provider's breaker is open."""
    provider = outcome.provider
    if provider.offline:
        return
    # The breaker of the provider the call was admitted for was read with the admission a moment ago
    # (no cache trip on the event loop); one reached after its retries is read again.
    if position == walk.admitted_at:
        is_open = provider.name in walk.open_breakers
    else:
        is_open = await sync_to_async(guards.breaker_is_open, thread_sensitive=False)(provider=provider.name)
    if is_open:
        outcome.status, outcome.error = InteractionStatus.CIRCUIT_OPEN, "circuit open, not called"
        raise ProviderError(outcome.error, transient=False)


def _failure(outcome: Outcome, exc: ProviderError) -> None:
    outcome.status = exc.status
    outcome.error = str(exc)
    outcome.text = exc.text


async def _attempt_failed(walk: _Walk, outcome: Outcome, exc: ProviderError, *, partial: str | None = None) -> None:
    """Record a failed attempt (a refused one keeps its `circuit_open`); `partial`: the text streamed so far."""
    if outcome.status != InteractionStatus.CIRCUIT_OPEN:
        _failure(outcome, exc)
        if partial is not None:
            outcome.text = partial
    await walk.finish(outcome)


def _unavailable(last: ProviderError | None) -> AIUnavailable:
    return AIMalformedOutput() if isinstance(last, MalformedOutput) else AIUnavailable()


async def call_provider(
    *,
    user: Any,
    conversation: Any,
    purpose: str,
    prompt: list,
    make_call: Callable[[Provider], ProviderCall],
    run: Callable[[Provider, ProviderCall], Awaitable[Completion]],
    audit: list[AuditRow] | None = None,
) -> tuple[Completion, Outcome, int | None]:
    """Run one non-streaming call through the chain; return the completion, its outcome and row id
    (None when the row went to `audit`)."""
    walk = _Walk(
        user_id=_user_id(user),
        conversation=conversation,
        purpose=purpose,
        prompt=prompt,
        chain=provider_chain(),
        audit=audit,
    )
    last: ProviderError | None = None
    for position, provider in enumerate(walk.chain):
        outcome = await _attempt_start(walk, provider, position)
        call = make_call(provider)
        try:
            await _breaker_refuse(walk, outcome, position)
            completion = await _attempted(provider, functools.partial(run, provider, call), call.timeout)
        except ProviderError as exc:
            last = exc
            await _attempt_failed(walk, outcome, exc)
            continue
        outcome.text, outcome.tokens_in, outcome.tokens_out = (
            completion.text,
            completion.tokens_in,
            completion.tokens_out,
        )
        return completion, outcome, await walk.finish(outcome)
    raise _unavailable(last)


async def stream_provider(
    *,
    user: Any,
    conversation: Any,
    purpose: str,
    prompt: list,
    make_call: Callable[[Provider], ProviderCall],
    audit: list[AuditRow] | None = None,
) -> AsyncIterator[Delta | tuple[Outcome, int | None]]:
    """Stream Deltas through the chain, then one (outcome, row id or None when the row went to `audit`).

    Retries and fallbacks happen only before the first piece: after that a failure would repeat
    text the caller already showed, so it raises AIUnavailable and the row keeps the partial text.
    """
    walk = _Walk(
        user_id=_user_id(user),
        conversation=conversation,
        purpose=purpose,
        prompt=prompt,
        chain=provider_chain(),
        audit=audit,
    )
    last: ProviderError | None = None
    for position, provider in enumerate(walk.chain):
        outcome = await _attempt_start(walk, provider, position)
        call = make_call(provider)
        pieces: list[str] = []
        stream = None

        async def first_piece(provider: Provider = provider, call: ProviderCall = call) -> str | Usage:
            nonlocal stream
            if stream is not None:
                await stream.aclose()
            stream = provider.stream(call)
            return await anext(stream)

        try:
            await _breaker_refuse(walk, outcome, position)
            item = await _attempted(provider, first_piece, call.timeout)
            metrics.FIRST_DELTA.labels(provider.name, purpose).observe(time.perf_counter() - outcome.started)
            # Between pieces the SDKs' own read timeout (set from call.timeout) catches a stalled
            # stream; a timer per piece here would cost more than the rest of the gateway.
            while not isinstance(item, Usage):
                yield Delta(index=len(pieces), text=item)
                pieces.append(item)
                item = await anext(stream)
        except (ProviderError, StopAsyncIteration) as exc:
            if isinstance(exc, StopAsyncIteration):
                exc = ProviderError("the provider stream ended without usage", transient=False)
            last = exc
            await _attempt_failed(walk, outcome, exc, partial="".join(pieces))
            if pieces:
                raise AIUnavailable() from exc
            continue
        finally:
            if stream is not None:
                await stream.aclose()
        outcome.text, outcome.tokens_in, outcome.tokens_out = "".join(pieces), item.tokens_in, item.tokens_out
        yield outcome, await walk.finish(outcome)
        return
    raise _unavailable(last)


def new_call(
    provider: Provider,
    *,
    purpose: str,
    messages: list,
    payload: Any = None,
    schema: type[BaseModel] | None = None,
    tools: list | None = None,
) -> ProviderCall:
    return ProviderCall(
        purpose=purpose,
        messages=messages,
        timeout=settings.LLM_TIMEOUT_SECONDS,
        payload=payload,
        schema=schema,
        tools=tools,
    )


async def run_structured(provider: Provider, call: ProviderCall) -> Completion:
    """Ask for JSON and validate it inside the attempt, so a malformed answer is retried once."""
    completion = await provider.structured(call)
    if completion.parsed is None:
        try:
            completion.parsed = parse_structured(completion.text, call.schema)
        except MalformedOutput as exc:
            exc.text = completion.text
            raise
    return completion
