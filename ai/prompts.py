"""How typed requests become chat messages for the real providers: renderers registered per purpose.

The gateway knows no product policy; the feature that owns a purpose registers its renderer in its
AppConfig.ready(): `register_prompt("reply", reply_messages)`.
"""

from collections.abc import Callable
from typing import Any

Messages = list[dict[str, Any]]
PromptRenderer = Callable[[Any], Messages]

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
