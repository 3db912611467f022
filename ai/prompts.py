"""How typed requests become chat messages for the real providers: renderers registered per purpose.

The gateway knows no product policy; the feature that owns a purpose registers its renderer in its
AppConfig.ready(): `register_prompt("reply", reply_messages)`.

What many calls send alike (a purpose's instructions, a template's scaffold) is stored once for the
audit rows, which refer to it by its SHA-256 (`ai.models.PromptPart`): a system message's text
is, whole; a renderer whose system message also carries what is particular to one call (the
conversation so far, where a scenario stands) builds it as a `PromptText`, marking its `Shared`
parts, so that only those are referred to and the rest stays on the row.
"""

import hashlib
from collections.abc import Callable
from typing import Any

Messages = list[dict[str, Any]]
PromptRenderer = Callable[[Any], Messages]

# Shorter texts stay on the row: a reference to them would save little or nothing.
SHARED_MIN_CHARS = 256
# The key of a stored message whose content was split into inline text and references.
_PARTS = "content_parts"

_renderers: dict[str, PromptRenderer] = {}


def register_prompt(purpose: str, render: PromptRenderer) -> None:
    """Render requests of `purpose` with `render`; registering again replaces the previous renderer."""
    _renderers[purpose] = render


def prompt_messages(purpose: str, request: Any) -> Messages:
    """The chat messages for `request`, from the renderer registered for `purpose`."""
    render = _renderers.get(purpose)
    if render is None:
        raise LookupError(f"no prompt is registered for purpose {purpose!r}")
    return render(request)


class Shared(str):
    """Text that many calls send alike: their audit rows refer to it, stored once."""


class PromptText(str):
    """A message's text joined from `parts`, some of them `Shared`; providers get the plain text."""

    parts: tuple[str, ...]

    def __new__(cls, *parts: str) -> "PromptText":
        text = super().__new__(cls, "".join(parts))
        text.parts = parts
        return text


def _parts(message: dict[str, Any]) -> tuple[str, ...] | None:
    content = message.get("content")
    if isinstance(content, PromptText):
        return content.parts
    if isinstance(content, Shared) or (message.get("role") == "system" and isinstance(content, str)):
        return (Shared(content),)
    return None


def prompt_stored(messages: Messages) -> tuple[Messages, dict[str, str]]:
    """The prompt as an audit row keeps it, and the shared texts it refers to, by their SHA-256.

    A message with a shared part of at least SHARED_MIN_CHARS keeps `content_parts` instead of its
    content: its own text inline, each shared part as {"sha256": ...}.
    """
    stored: Messages = []
    shared: dict[str, str] = {}
    for message in messages:
        parts = _parts(message)
        if parts is None or not any(isinstance(p, Shared) and len(p) >= SHARED_MIN_CHARS for p in parts):
            stored.append(message)
            continue
        kept: list[str | dict[str, str]] = []
        for part in parts:
            if isinstance(part, Shared) and len(part) >= SHARED_MIN_CHARS:
                digest = hashlib.sha256(part.encode()).hexdigest()
                shared[digest] = str(part)
                kept.append({"sha256": digest})
            elif kept and isinstance(kept[-1], str):
                kept[-1] += part
            elif part:
                kept.append(str(part))
        stored.append({**{key: value for key, value in message.items() if key != "content"}, _PARTS: kept})
    return stored, shared


def prompt_references(stored: Messages) -> set[str]:
    """The SHA-256 of every shared text a stored prompt refers to."""
    return {
        part["sha256"]
        for message in stored
        if isinstance(message, dict)
        for part in message.get(_PARTS, ())
        if isinstance(part, dict)
    }


def prompt_restored(stored: Messages, texts: dict[str, str]) -> Messages:
    """The prompt as it was sent, from what an audit row keeps and the shared `texts` it refers to."""
    restored: Messages = []
    for message in stored:
        if not isinstance(message, dict) or _PARTS not in message:
            restored.append(message)
            continue
        content = "".join(part if isinstance(part, str) else texts[part["sha256"]] for part in message[_PARTS])
        restored.append({**{key: value for key, value in message.items() if key != _PARTS}, "content": content})
    return restored
