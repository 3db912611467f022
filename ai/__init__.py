"""The AI gateway: every LLM call in Parley goes through these functions.

It knows no product policy: features register their prompts (`register_prompt`) and their offline
handlers (`register_offline_handler`) in their AppConfig.ready().
"""

from ai.engine import AuditRow, audit_rows_save
from ai.errors import AIBudgetExceeded, AIMalformedOutput, AIRateLimited, AIUnavailable
from ai.gateway import (
    complete,
    reply,
    reply_stream,
    reply_sync,
    structured,
    structured_sync,
    summarise,
    tag_vocabulary,
)
from ai.prompts import PromptText, Shared, register_prompt
from ai.providers.offline import offline_handler, register_offline_handler
from ai.types import (
    Delta,
    Findings,
    GoalRef,
    Persona,
    ReplyRequest,
    ReplyResult,
    Strictness,
    Tool,
    ToolCall,
    Turn,
    TurnAnalysisRequest,
    VocabHint,
)

__all__ = [
    "AIBudgetExceeded",
    "AIMalformedOutput",
    "AIRateLimited",
    "AIUnavailable",
    "AuditRow",
    "Delta",
    "Findings",
    "GoalRef",
    "Persona",
    "PromptText",
    "ReplyRequest",
    "ReplyResult",
    "Shared",
    "Strictness",
    "Tool",
    "ToolCall",
    "Turn",
    "TurnAnalysisRequest",
    "VocabHint",
    "audit_rows_save",
    "complete",
    "offline_handler",
    "register_offline_handler",
    "register_prompt",
    "reply",
    "reply_stream",
    "reply_sync",
    "structured",
    "structured_sync",
    "summarise",
    "tag_vocabulary",
]
