"""The assistant: a tool-calling agent over the learner's own data, one turn at a time.

A turn is stored before the model is asked (the learner's message is never lost), the agent loop
runs with no transaction open, and the answer is stored in a second short transaction.
"""

import json
import time
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.db import transaction

import ai
from ai.models import AIInteraction, InteractionStatus
from assistant.tools import llm_tools, tool_run
from config.exceptions import Conflict
from conversations import selectors
from conversations.exceptions import ConversationNotFound
from conversations.models import (
    Conversation,
    ConversationKind,
    Membership,
    MembershipRole,
    Message,
    MessageRole,
    MessageState,
)
from conversations.services.messages import (
    client_id_clean,
    content_clean,
    conversation_lock,
    message_append,
    message_find_by_client_id,
)

PURPOSE = "assistant"
MAX_ROUNDS = 5
# Tokens in and out over all rounds of one turn; past it the loop stops instead of asking again.
TURN_TOKEN_BUDGET = 30_000
HISTORY_MESSAGES = 20

SYSTEM_PROMPT = (
    "You are Parley's study assistant. You help one language learner with their own data: their "
    "saved vocabulary, their mistakes, the practice templates, their progress and what to practise "
    "next. Use the tools to look things up instead of guessing, and only add vocabulary or start a "
    "session when the learner asks for it. Answer briefly, in the learner's language."
)
STOPPED_ROUNDS = (
    "I stopped after {rounds} rounds of looking things up without reaching an answer. "
    "Please ask one thing at a time, for example \u201cshow my recent particle mistakes\u201d."
)
STOPPED_BUDGET = (
    "I stopped because answering this used more of your AI allowance than one question should. "
    "Please ask something narrower."
)
EMPTY_ANSWER = "I have nothing to add to that."


@dataclass(frozen=True)
class AssistantTurn:
    """The learner's stored message and, for a resend that was already answered, the answer."""

    conversation: Conversation
    user_message: Message
    reply: Message | None


@dataclass
class AgentOutcome:
    text: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    offline: bool = False
    provider: str = ""
    rounds: int = 0
    stopped: str | None = None


def _reply_to(message: Message) -> Message | None:
    return (
        Message.objects.filter(conversation_id=message.conversation_id, seq__gt=message.seq, role=MessageRole.ASSISTANT)
        .order_by("seq")
        .first()
    )


def assistant_conversation_get(*, user, conversation_id) -> Conversation:
    """One of the user's assistant conversations; anything else raises ConversationNotFound (404)."""
    conversation = selectors.conversation_for_member(user=user, conversation_id=conversation_id)
    if conversation.kind != ConversationKind.ASSISTANT:
        raise ConversationNotFound()
    return conversation


@transaction.atomic
def assistant_turn_submit(*, user, content, conversation_id=None, client_id=None) -> AssistantTurn:
    """Store the learner's message, in a new assistant conversation unless one of theirs is named.

    A resend with the same client_id stores nothing and returns the original (and its answer, if
    any). Raises InvalidContent, ConversationNotFound, and Conflict when the client_id was used
    for a message outside the assistant.
    """
    content = content_clean(content=content)
    client_id = client_id_clean(client_id=client_id)
    existing = message_find_by_client_id(sender=user, client_id=client_id)
    if existing is not None:
        if existing.conversation.kind != ConversationKind.ASSISTANT:
            raise Conflict("This client_id was already used for another message.", code="client_id_reused")
        return AssistantTurn(conversation=existing.conversation, user_message=existing, reply=_reply_to(existing))
    if conversation_id:
        conversation = conversation_lock(
            conversation_id=assistant_conversation_get(user=user, conversation_id=conversation_id).id
        )
    else:
        conversation = Conversation.objects.create(kind=ConversationKind.ASSISTANT, title=content[:80], created_by=user)
        Membership.objects.create(conversation=conversation, user=user, role=MembershipRole.OWNER)
    message = message_append(
        conversation=conversation, sender=user, role=MessageRole.USER, content=content, client_id=client_id
    )
    return AssistantTurn(conversation=conversation, user_message=message, reply=None)


def assistant_history(*, user, conversation_id, after_seq: int = 0, limit: int = 100) -> list[Message]:
    """The messages of one of the user's assistant conversations after `after_seq`, in order."""
    conversation = assistant_conversation_get(user=user, conversation_id=conversation_id)
    return list(conversation.messages.filter(seq__gt=after_seq).order_by("seq")[:limit])


def _prompt_history(*, conversation_id, before_seq: int) -> list[dict[str, str]]:
    recent = Message.objects.filter(
        conversation_id=conversation_id, seq__lt=before_seq, state=MessageState.COMPLETE
    ).order_by("-seq")[:HISTORY_MESSAGES]
    return [{"role": m.role, "content": m.content} for m in reversed(recent)]


def _tool_execute(*, user, conversation_id, call: ai.ToolCall, round_number: int) -> tuple[str, dict[str, Any]]:
    """Run one tool call and keep an audit row of it; returns the content for the model and the call's summary."""
    started = time.perf_counter()
    result = tool_run(user=user, name=call.name, arguments=call.arguments)
    content = result.content()
    AIInteraction.objects.create(
        user=user,
        conversation_id=conversation_id,
        purpose=PURPOSE,
        provider="tool",
        model=call.name[:100],
        prompt=[
            {
                "tool": call.name,
                "tool_call_id": call.id,
                "arguments": result.arguments,
                "round": round_number,
                "result_chars": len(content),
            }
        ],
        response=content,
        latency_ms=int((time.perf_counter() - started) * 1000),
        status=InteractionStatus.OK if result.ok else InteractionStatus.ERROR,
        error=result.error or "",
    )
    summary: dict[str, Any] = {"name": call.name, "arguments": result.arguments, "round": round_number}
    if result.ok:
        summary["result"] = result.data
    else:
        summary["error"] = result.error
    return content, summary


_tool_execute_async = sync_to_async(_tool_execute)


def _assistant_message(reply: ai.ReplyResult) -> dict[str, Any]:
    """The model's tool-calling turn in the chat-completions shape both OpenAI and Mistral take back."""
    return {
        "role": "assistant",
        "content": reply.text or "",
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments, ensure_ascii=False)},
            }
            for call in reply.tool_calls
        ],
    }


async def agent_run(*, user, conversation: Conversation, messages: list[dict[str, Any]]) -> AgentOutcome:
    """Let the model call tools for at most MAX_ROUNDS rounds and TURN_TOKEN_BUDGET tokens; raises AIUnavailable."""
    messages = list(messages)
    tools = llm_tools()
    outcome = AgentOutcome(text="")
    tokens = 0
    for round_number in range(1, MAX_ROUNDS + 1):
        reply = await ai.complete(
            user=user, conversation=conversation, purpose=PURPOSE, messages=list(messages), tools=tools
        )
        outcome.rounds, outcome.offline, outcome.provider = round_number, reply.offline, reply.provider
        tokens += reply.tokens_in + reply.tokens_out
        if not reply.tool_calls:
            outcome.text = reply.text.strip() or EMPTY_ANSWER
            return outcome
        messages.append(_assistant_message(reply))
        for call in reply.tool_calls:
            content, summary = await _tool_execute_async(
                user=user, conversation_id=conversation.pk, call=call, round_number=round_number
            )
            outcome.tool_calls.append(summary)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": content})
        if tokens >= TURN_TOKEN_BUDGET:
            outcome.text, outcome.stopped = STOPPED_BUDGET, "token_budget"
            return outcome
    outcome.text, outcome.stopped = STOPPED_ROUNDS.format(rounds=MAX_ROUNDS), "max_rounds"
    return outcome


@transaction.atomic
def _reply_store(*, conversation_id, outcome: AgentOutcome) -> Message:
    conversation = conversation_lock(conversation_id=conversation_id)
    return message_append(
        conversation=conversation,
        sender=None,
        role=MessageRole.ASSISTANT,
        content=outcome.text,
        meta={
            "tool_calls": outcome.tool_calls,
            "offline": outcome.offline,
            "provider": outcome.provider,
            "rounds": outcome.rounds,
            "stopped": outcome.stopped,
        },
    )


async def assistant_reply(*, user, turn: AssistantTurn) -> Message:
    """Answer a stored turn with the agent and store the answer; raises AIUnavailable (the turn is kept)."""
    if turn.reply is not None:
        return turn.reply
    history = await sync_to_async(_prompt_history)(
        conversation_id=turn.conversation.pk, before_seq=turn.user_message.seq
    )
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        *history,
        {"role": "user", "content": turn.user_message.content},
    ]
    outcome = await agent_run(user=user, conversation=turn.conversation, messages=messages)
    return await sync_to_async(_reply_store)(conversation_id=turn.conversation.pk, outcome=outcome)
