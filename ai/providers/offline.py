"""The offline provider: deterministic, no network, one handler per purpose from a registry.

Other apps add purposes in their AppConfig.ready(): `register_offline_handler("advice", advise)`.
A handler takes the typed request the caller gave the gateway and returns text or a pydantic
model (or a dict the gateway validates against the call's schema); a handler that calls tools
returns a whole Completion.
"""

import json
import math
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from ai.errors import MalformedOutput, ProviderError
from ai.providers.base import Completion, ProviderCall, Usage

OfflineHandler = Callable[[Any], str | BaseModel | dict | Completion]

_handlers: dict[str, OfflineHandler] = {}

# Words with their following space, or runs of other text, so a stream reassembles exactly.
_PIECES = re.compile(r"\S+\s*|\s+")


def register_offline_handler(purpose: str, handler: OfflineHandler) -> None:
    """Answer `purpose` offline with `handler`; registering again replaces the previous handler."""
    _handlers[purpose] = handler


def offline_handler(purpose: str) -> Callable[[OfflineHandler], OfflineHandler]:
    """Decorator form of register_offline_handler."""

    def decorate(handler: OfflineHandler) -> OfflineHandler:
        register_offline_handler(purpose, handler)
        return handler

    return decorate


def estimate_tokens(text: str) -> int:
    """A rough count so the audit rows and metrics see offline traffic too.

    About four characters a token for Latin text; a kana, kanji or hangul is close to a token of its
    own in the tokenizers of the big providers, so counting them as four to a token would undercount
    Japanese by a factor of four. Those are the characters UTF-8 writes in three bytes (with a few
    marks of punctuation, tokens of their own too; a two-byte letter, Cyrillic or accented, counts
    half): counting bytes keeps this cheap for every prompt, where matching the scripts cost a tenth
    of a millisecond a call.
    """
    if not text:
        return 0
    wide = (len(text.encode("utf-8", "surrogatepass")) - len(text)) // 2
    return max(1, wide + math.ceil((len(text) - wide) / 4))


def _prompt_text(call: ProviderCall) -> str:
    return "".join(str(m.get("content") or "") for m in call.messages) or repr(call.payload)


class OfflineProvider:
    name = "offline"
    model = "offline-partner"
    offline = True

    def _run(self, call: ProviderCall) -> str | BaseModel | dict | Completion:
        handler = _handlers.get(call.purpose)
        if handler is None:
            raise ProviderError(f"the offline partner has no handler for purpose {call.purpose!r}", transient=False)
        return handler(call.payload)

    async def complete(self, call: ProviderCall) -> Completion:
        answer = self._run(call)
        if isinstance(answer, Completion):
            answer.tokens_in = answer.tokens_in or estimate_tokens(_prompt_text(call))
            answer.tokens_out = answer.tokens_out or estimate_tokens(answer.text)
            return answer
        text = answer if isinstance(answer, str) else _dump(answer)
        return Completion(text=text, tokens_in=estimate_tokens(_prompt_text(call)), tokens_out=estimate_tokens(text))

    async def stream(self, call: ProviderCall) -> AsyncIterator[str | Usage]:
        completion = await self.complete(call)
        for piece in _PIECES.findall(completion.text):
            yield piece
        yield Usage(completion.tokens_in, completion.tokens_out)

    async def structured(self, call: ProviderCall) -> Completion:
        answer = self._run(call)
        # An instance of the schema itself was validated when the handler built it.
        if isinstance(answer, call.schema):
            parsed = answer
        else:
            try:
                parsed = call.schema.model_validate(answer.model_dump() if isinstance(answer, BaseModel) else answer)
            except ValidationError as exc:
                raise MalformedOutput(f"offline {call.purpose} does not match {call.schema.__name__}") from exc
        text = parsed.model_dump_json()
        return Completion(
            text=text,
            tokens_in=estimate_tokens(_prompt_text(call)),
            tokens_out=estimate_tokens(text),
            parsed=parsed,
        )


def _dump(answer: BaseModel | dict) -> str:
    return answer.model_dump_json() if isinstance(answer, BaseModel) else json.dumps(answer, ensure_ascii=False)
