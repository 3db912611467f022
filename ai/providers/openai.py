"""OpenAI, or any server speaking its chat completions API (LLM_BASE_URL), through openai.AsyncOpenAI."""

from collections.abc import AsyncIterator
from typing import Any

import openai
from django.conf import settings

from ai.errors import IncompleteStream, ProviderError, ProviderTimeout
from ai.providers.base import (
    Completion,
    ProviderCall,
    Usage,
    audio_summary,
    json_schema_of,
    tool_arguments,
    tool_schemas,
)
from ai.providers.clients import client_for
from ai.types import ToolCall

DEFAULT_MODEL = "gpt-4o-mini"
SPEECH_MODEL = "gpt-4o-mini-tts"
TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait as the server asked: OpenAI sends retry-after-ms, others Retry-After."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) / scale
            except ValueError:
                continue
    return None


def _translate(exc: Exception) -> ProviderError:
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout()
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(f"connection failed: {exc}", transient=True)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        return ProviderError(
            f"HTTP {code}: {exc.message}"[:500],
            transient=code == 429 or code >= 500,
            retry_after=_retry_after(exc.response.headers),
        )
    return ProviderError(f"{type(exc).__name__}: {exc}"[:500], transient=False)


class OpenAIProvider:
    name = "openai"
    offline = False
    speaks = True
    transcribes = True

    def __init__(self, *, model: str, api_key: str, base_url: str | None):
        self.model = model or DEFAULT_MODEL
        self._api_key = api_key
        self._base_url = base_url or None

    def _client(self) -> openai.AsyncOpenAI:
        # The SDK's own retries are off: the gateway retries, once, with its own policy.
        return client_for(
            ("openai", self._api_key, self._base_url),
            lambda: openai.AsyncOpenAI(api_key=self._api_key, base_url=self._base_url, max_retries=0),
        )

    async def _create(self, call: ProviderCall, **extra: Any) -> Any:
        try:
            return await self._client().chat.completions.create(
                model=self.model, messages=call.messages, timeout=call.timeout, **extra
            )
        except Exception as exc:  # the adapter boundary: anything the SDK raises becomes a ProviderError
            raise _translate(exc) from exc

    async def complete(self, call: ProviderCall) -> Completion:
        extra = {"tools": tool_schemas(call.tools)} if call.tools else {}
        response = await self._create(call, **extra)
        message = response.choices[0].message
        usage = response.usage
        return Completion(
            text=message.content or "",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
            tool_calls=[
                ToolCall(id=tc.id, name=tc.function.name, arguments=tool_arguments(tc.function.arguments))
                for tc in message.tool_calls or []
            ],
        )

    async def stream(self, call: ProviderCall) -> AsyncIterator[str | Usage]:
        chunks = await self._create(call, stream=True, stream_options={"include_usage": True})
        finished = False
        usage = None
        try:
            async for chunk in chunks:
                if chunk.usage is not None:
                    usage = chunk.usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.delta.content:
                    yield choice.delta.content
                if choice.finish_reason:
                    finished = True
        except Exception as exc:
            raise _translate(exc) from exc
        if not finished:
            raise IncompleteStream()
        yield Usage(usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)

    async def structured(self, call: ProviderCall) -> Completion:
        fmt = {"type": "json_schema", "json_schema": json_schema_of(call.schema)}
        response = await self._create(call, response_format=fmt)
        usage = response.usage
        return Completion(
            text=response.choices[0].message.content or "",
            tokens_in=usage.prompt_tokens if usage else 0,
            tokens_out=usage.completion_tokens if usage else 0,
        )

    async def speech(self, call: ProviderCall) -> Completion:
        request = call.payload
        try:
            response = await self._client().audio.speech.create(
                model=settings.LLM_SPEECH_MODEL or SPEECH_MODEL,
                voice=settings.LLM_SPEECH_VOICE,
                input=request.text,
                speed=request.speed,
                response_format="opus",
                timeout=call.timeout,
            )
            data = response.content
        except Exception as exc:  # the adapter boundary, as for chat
            raise _translate(exc) from exc
        return Completion(text=audio_summary(data, "audio/ogg"), audio=data, content_type="audio/ogg")

    async def transcribe(self, call: ProviderCall) -> Completion:
        request = call.payload
        try:
            response = await self._client().audio.transcriptions.create(
                model=settings.LLM_TRANSCRIPTION_MODEL or TRANSCRIPTION_MODEL,
                file=(request.filename, request.audio, request.content_type),
                language=request.language or openai.omit,
                timeout=call.timeout,
            )
        except Exception as exc:
            raise _translate(exc) from exc
        return Completion(text=response.text or "")
