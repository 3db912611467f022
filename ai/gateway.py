"""The LLM gateway: what feature code asks for, each call tagged with a purpose.

Feature code never imports an SDK; it calls these functions and handles AIUnavailable (and its
subclasses) by sending the `ai_unavailable` event or answering 503. `user` and `conversation` are the
rows each call's AIInteraction is recorded against (either may be None).

`audit`: a list the caller keeps to write the call's row itself, in a database call it makes
anyway, rather than have the call hop to a database thread for it: on success the row is appended
there unwritten (a reply's `interaction_id` is then None), and the caller passes the list to
`audit_rows_save` inside that database call, after which each AuditRow's `id` is its row's. A
failed attempt's row is always written at once, since a failure may leave the caller nothing to
write with. The caller must write what it was handed: a row it drops is lost.
"""

import json
from collections.abc import AsyncIterator
from typing import TypeVar

from asgiref.sync import async_to_sync
from django.db.models import Model
from pydantic import BaseModel

from ai.engine import AuditRow, Outcome, call_provider, new_call, run_structured, stream_provider
from ai.errors import ProviderError
from ai.prompts import prompt_messages
from ai.providers import Completion, Provider, ProviderCall, provider_chain
from ai.providers.base import audio_summary
from ai.types import (
    Delta,
    ReplyRequest,
    ReplyResult,
    SpeechRequest,
    SummaryOut,
    SummaryRequest,
    Tool,
    TranscriptionRequest,
    Turn,
    VocabHint,
    VocabularyRequest,
    VocabularyTags,
)

T = TypeVar("T", bound=BaseModel)


def _result(text: str, outcome: Outcome, row_id: int | None, tool_calls: tuple = ()) -> ReplyResult:
    return ReplyResult(
        text=text,
        provider=outcome.provider.name,
        model=outcome.provider.model,
        tokens_in=outcome.tokens_in,
        tokens_out=outcome.tokens_out,
        latency_ms=outcome.latency_ms,
        fallback=outcome.fallback,
        offline=outcome.provider.offline,
        interaction_id=row_id,
        tool_calls=tool_calls,
    )


async def reply_stream(
    *, user: Model | None, conversation: Model | None, request: ReplyRequest, audit: list[AuditRow] | None = None
) -> AsyncIterator[Delta | ReplyResult]:
    """Stream the partner's reply as Deltas, then one ReplyResult; raises AIUnavailable, even mid-stream."""
    messages = prompt_messages("reply", request)
    async for item in stream_provider(
        user=user,
        conversation=conversation,
        purpose="reply",
        prompt=messages,
        make_call=lambda provider: new_call(provider, purpose="reply", messages=messages, payload=request),
        audit=audit,
    ):
        if isinstance(item, Delta):
            yield item
        else:
            outcome, row_id = item
            yield _result(outcome.text, outcome, row_id)


async def reply(
    *, user: Model | None, conversation: Model | None, request: ReplyRequest, audit: list[AuditRow] | None = None
) -> ReplyResult:
    """The partner's whole reply in one piece; raises AIUnavailable."""
    messages = prompt_messages("reply", request)
    completion, outcome, row_id = await call_provider(
        user=user,
        conversation=conversation,
        purpose="reply",
        prompt=messages,
        make_call=lambda provider: new_call(provider, purpose="reply", messages=messages, payload=request),
        run=lambda provider, call: provider.complete(call),
        audit=audit,
    )
    return _result(completion.text, outcome, row_id)


def reply_sync(*, user: Model | None, conversation: Model | None, request: ReplyRequest) -> ReplyResult:
    """reply() for synchronous callers such as DRF views."""
    return async_to_sync(reply)(user=user, conversation=conversation, request=request)


async def complete(
    *,
    user: Model | None,
    conversation: Model | None,
    purpose: str,
    messages: list[dict],
    tools: list[Tool] | None = None,
    audit: list[AuditRow] | None = None,
) -> ReplyResult:
    """A free-form chat completion, with tool calls when `tools` are given; raises AIUnavailable."""
    completion, outcome, row_id = await call_provider(
        user=user,
        conversation=conversation,
        purpose=purpose,
        prompt=messages,
        make_call=lambda provider: new_call(
            provider, purpose=purpose, messages=messages, payload=messages, tools=tools
        ),
        run=lambda provider, call: provider.complete(call),
        audit=audit,
    )
    return _result(completion.text, outcome, row_id, tuple(completion.tool_calls))


async def structured(
    *,
    user: Model | None,
    conversation: Model | None,
    purpose: str,
    schema: type[T],
    messages: list[dict] | None = None,
    request: BaseModel | None = None,
    audit: list[AuditRow] | None = None,
) -> T:
    """A validated instance of `schema`: real providers get `messages`, the offline partner `request`.

    Malformed JSON or a schema mismatch is retried once, then raises AIMalformedOutput.
    """
    if messages is None:
        if request is None:
            raise ValueError("structured() needs messages or a request")
        messages = [{"role": "user", "content": json.dumps(request.model_dump(mode="json"), ensure_ascii=False)}]
    completion, _, _ = await call_provider(
        user=user,
        conversation=conversation,
        purpose=purpose,
        prompt=messages,
        make_call=lambda provider: new_call(
            provider, purpose=purpose, messages=messages, payload=request, schema=schema
        ),
        run=run_structured,
        audit=audit,
    )
    return completion.parsed


def structured_sync(
    *,
    user: Model | None,
    conversation: Model | None,
    purpose: str,
    schema: type[T],
    messages: list[dict] | None = None,
    request: BaseModel | None = None,
) -> T:
    """structured() for synchronous callers such as DRF views."""
    return async_to_sync(structured)(
        user=user, conversation=conversation, purpose=purpose, schema=schema, messages=messages, request=request
    )


async def tag_vocabulary(
    *,
    user: Model | None,
    conversation: Model | None,
    text: str,
    language: str,
    level: str = "beginner",
    hints: list[VocabHint] = (),
    audit: list[AuditRow] | None = None,
) -> list[VocabHint]:
    """Useful phrases in `text` (an AI reply), preferring the template's hints; raises AIUnavailable."""
    request = VocabularyRequest(language=language, level=level, text=text, hints=list(hints))
    tags = await structured(
        user=user,
        conversation=conversation,
        purpose="vocabulary",
        schema=VocabularyTags,
        messages=prompt_messages("vocabulary", request),
        request=request,
        audit=audit,
    )
    return tags.items


async def summarise(
    *,
    user: Model | None,
    conversation: Model | None,
    turns: list[Turn],
    language: str,
    previous_summary: str = "",
    audit: list[AuditRow] | None = None,
) -> str:
    """The running summary extended with older `turns`, kept short; raises AIUnavailable."""
    request = SummaryRequest(language=language, previous_summary=previous_summary, turns=turns)
    out = await structured(
        user=user,
        conversation=conversation,
        purpose="summary",
        schema=SummaryOut,
        messages=prompt_messages("summary", request),
        request=request,
        audit=audit,
    )
    return out.summary


def voice_offered(capability: str) -> bool:
    """Whether a configured provider `speaks` or `transcribes`; the offline partner does neither."""
    return any(getattr(provider, capability, False) for provider in provider_chain())


async def _voice_call(
    *,
    user: Model | None,
    conversation: Model | None,
    purpose: str,
    capability: str,
    method: str,
    prompt: list[dict],
    request: BaseModel,
) -> Completion:
    """One speech or transcription call through the chain; a provider without `capability` is skipped."""

    async def run(provider: Provider, call: ProviderCall) -> Completion:
        if not getattr(provider, capability, False):
            raise ProviderError(f"{provider.name} does not offer {call.purpose}", transient=False)
        return await getattr(provider, method)(call)

    completion, _, _ = await call_provider(
        user=user,
        conversation=conversation,
        purpose=purpose,
        prompt=prompt,
        make_call=lambda provider: new_call(provider, purpose=purpose, messages=prompt, payload=request),
        run=run,
    )
    return completion


async def speak(*, user: Model | None, conversation: Model | None, request: SpeechRequest) -> Completion:
    """`request.text` spoken by the provider: the completion's `audio` and `content_type`; raises AIUnavailable."""
    prompt = [{"role": "user", "content": request.text}]
    return await _voice_call(
        user=user, conversation=conversation, purpose="speech", capability="speaks", method="speech",
        prompt=prompt, request=request,
    )  # fmt: skip


async def transcribe(*, user: Model | None, conversation: Model | None, request: TranscriptionRequest) -> str:
    """The words heard in a learner's recording; raises AIUnavailable. The audit row keeps no audio."""
    prompt = [{"role": "user", "content": audio_summary(request.audio, request.content_type)}]
    completion = await _voice_call(
        user=user, conversation=conversation, purpose="transcription", capability="transcribes",
        method="transcribe", prompt=prompt, request=request,
    )  # fmt: skip
    return completion.text.strip()
