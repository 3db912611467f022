"""Mistral through the official mistralai client (`server_url` from LLM_BASE_URL)."""

from collections.abc import AsyncIterator
from typing import Any

import httpx2
from django.conf import settings
from mistralai.client import Mistral
from mistralai.client.errors import MistralError

from ai.errors import IncompleteStream, ProviderError, ProviderTimeout
from ai.providers.base import (
    Completion,
    ProviderCall,
    Usage,
    json_schema_of,
    tool_arguments,
    tool_schemas,
)
from ai.providers.clients import client_for
from ai.types import ToolCall

DEFAULT_MODEL = "mistral-small-latest"
TRANSCRIPTION_MODEL = "voxtral-mini-latest"


def _text(content: Any) -> str:
    """Mistral content is a string or a list of chunks; only text chunks make the reply."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(getattr(chunk, "text", "") or "" for chunk in content)
    return ""


def _translate(exc: Exception) -> ProviderError:
    if isinstance(exc, httpx2.TimeoutException):
        return ProviderTimeout()
    if isinstance(exc, httpx2.TransportError):
        return ProviderError(f"connection failed: {exc!r}", transient=True)
    if isinstance(exc, MistralError):
        code = exc.status_code
        retry_after = exc.headers.get("retry-after")
        try:
            seconds = float(retry_after) if retry_after else None
        except ValueError:
            seconds = None
        return ProviderError(
            f"HTTP {code}: {exc.body}"[:500], transient=code == 429 or code >= 500, retry_after=seconds
        )
    return ProviderError(f"{type(exc).__name__}: {exc}"[:500], transient=False)


def _usage(usage: Any) -> tuple[int, int]:
    return (usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else (0, 0)


class MistralProvider:
    name = "mistral"
    offline = False
    speaks = False
    transcribes = True

    def __init__(self, *, model: str, api_key: str, base_url: str | None):
        self.model = model or DEFAULT_MODEL
        self._api_key = api_key
        # One LLM_BASE_URL serves both adapters: OpenAI's includes /v1, Mistral's paths add it.
        self._server_url = base_url.rstrip("/").removesuffix("/v1") if base_url else None

    def _client(self) -> Mistral:
        return client_for(
            ("mistral", self._api_key, self._server_url),
            lambda: Mistral(api_key=self._api_key, server_url=self._server_url),
        )

    async def _call(self, method: str, call: ProviderCall, **extra: Any) -> Any:
        try:
            return await getattr(self._client().chat, method)(
                model=self.model, messages=call.messages, timeout_ms=int(call.timeout * 1000), **extra
            )
        except Exception as exc:  # the adapter boundary: anything the SDK raises becomes a ProviderError
            raise _translate(exc) from exc

    async def complete(self, call: ProviderCall) -> Completion:
        extra = {"tools": tool_schemas(call.tools)} if call.tools else {}
        response = await self._call("complete_async", call, **extra)
        message = response.choices[0].message
        tokens_in, tokens_out = _usage(response.usage)
        return Completion(
            text=_text(message.content),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            tool_calls=[
                ToolCall(id=tc.id or "", name=tc.function.name, arguments=tool_arguments(tc.function.arguments))
                for tc in message.tool_calls or []
            ],
        )

    async def stream(self, call: ProviderCall) -> AsyncIterator[str | Usage]:
        events = await self._call("stream_async", call)
        finished = False
        usage = None
        try:
            async for event in events:
                chunk = event.data
                if chunk.usage is not None:
                    usage = chunk.usage
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                text = _text(choice.delta.content)
                if text:
                    yield text
                if choice.finish_reason:
                    finished = True
        except Exception as exc:
            raise _translate(exc) from exc
        if not finished:
            raise IncompleteStream()
        yield Usage(*_usage(usage))

    async def structured(self, call: ProviderCall) -> Completion:
        fmt = {"type": "json_schema", "json_schema": json_schema_of(call.schema)}
        response = await self._call("complete_async", call, response_format=fmt)
        tokens_in, tokens_out = _usage(response.usage)
        return Completion(text=_text(response.choices[0].message.content), tokens_in=tokens_in, tokens_out=tokens_out)

    async def transcribe(self, call: ProviderCall) -> Completion:
        request = call.payload
        try:
            response = await self._client().audio.transcriptions.complete_async(
                model=settings.LLM_TRANSCRIPTION_MODEL or TRANSCRIPTION_MODEL,
                file={"file_name": request.filename, "content": request.audio, "content_type": request.content_type},
                language=request.language or None,
                timeout_ms=int(call.timeout * 1000),
            )
        except Exception as exc:
            raise _translate(exc) from exc
        return Completion(text=response.text or "")
