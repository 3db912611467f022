"""The Provider protocol every adapter implements, and the SDK-free shapes it speaks."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from ai.errors import MalformedOutput
from ai.types import Tool, ToolCall


@dataclass(slots=True)
class ProviderCall:
    """One request to a provider: chat messages for real ones, the typed `payload` for offline."""

    purpose: str
    messages: list[dict[str, Any]]
    timeout: float
    payload: Any = None
    tools: list[Tool] | None = None
    schema: type[BaseModel] | None = None


@dataclass(slots=True)
class Completion:
    text: str
    tokens_in: int = 0
    tokens_out: int = 0
    tool_calls: list[ToolCall] = field(default_factory=list)
    parsed: BaseModel | None = None
    audio: bytes = b""  # speech: the encoded audio, `text` then describes it for the audit row
    content_type: str = ""


@dataclass(slots=True)
class Usage:
    """The last item of a provider stream: token counts once the reply is complete."""

    tokens_in: int
    tokens_out: int


class Provider(Protocol):
    name: str
    model: str
    offline: bool

    async def complete(self, call: ProviderCall) -> Completion:
        """Answer in one piece, with tool calls when `call.tools` is set."""

    def stream(self, call: ProviderCall) -> AsyncIterator[str | Usage]:
        """Yield text deltas then one Usage; raise IncompleteStream if the reply was cut."""

    async def structured(self, call: ProviderCall) -> Completion:
        """Answer with JSON for `call.schema`; the gateway validates it unless `parsed` is set."""


class VoiceProvider(Provider, Protocol):
    """A provider that can also speak (`speaks`) and transcribe (`transcribes`)."""

    speaks: bool
    transcribes: bool

    async def speech(self, call: ProviderCall) -> Completion:
        """Speak `call.payload` (a SpeechRequest): `audio` and its `content_type`."""

    async def transcribe(self, call: ProviderCall) -> Completion:
        """Transcribe `call.payload` (a TranscriptionRequest): the words heard as `text`."""


def audio_summary(data: bytes, content_type: str) -> str:
    """What the audit row keeps of audio: its size and type, never the recording itself."""
    return f"<{len(data)} bytes of {content_type}>"


def parse_structured(text: str, schema: type[BaseModel]) -> BaseModel:
    """Validate a model's JSON answer; fenced ```json blocks are accepted because models add them."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        return schema.model_validate_json(body)
    except ValidationError as exc:
        raise MalformedOutput(f"answer does not match {schema.__name__}: {exc.errors()[0]['msg']}") from exc


def json_schema_of(schema: type[BaseModel]) -> dict[str, Any]:
    return {"name": schema.__name__, "schema": schema.model_json_schema()}


def tool_arguments(raw: str | dict[str, Any] | None) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError as exc:
        raise MalformedOutput("tool call arguments are not JSON") from exc
    if not isinstance(value, dict):
        raise MalformedOutput("tool call arguments are not a JSON object")
    return value


def tool_schemas(tools: list[Tool]) -> list[dict[str, Any]]:
    return [
        {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
        for t in tools
    ]
