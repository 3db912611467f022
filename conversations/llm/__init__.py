"""The LLM gateway: every LLM call in Parley goes through these functions."""

from conversations.llm.errors import AIBudgetExceeded, AIMalformedOutput, AIRateLimited, AIUnavailable
from conversations.llm.gateway import (
    analyse_turn,
    complete,
    reply,
    reply_stream,
    reply_sync,
    structured,
    structured_sync,
    summarise,
    tag_vocabulary,
)
from conversations.llm.providers.offline import offline_handler, register_offline_handler
from conversations.llm.types import Delta, Persona, ReplyRequest, ReplyResult, Tool, ToolCall, Turn, VocabHint

__all__ = [
    "AIBudgetExceeded",
    "AIMalformedOutput",
    "AIRateLimited",
    "AIUnavailable",
    "Delta",
    "Persona",
    "ReplyRequest",
    "ReplyResult",
    "Tool",
    "ToolCall",
    "Turn",
    "VocabHint",
    "analyse_turn",
    "complete",
    "offline_handler",
    "register_offline_handler",
    "reply",
    "reply_stream",
    "reply_sync",
    "structured",
    "structured_sync",
    "summarise",
    "tag_vocabulary",
]
