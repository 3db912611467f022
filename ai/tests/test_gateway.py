"""The gateway driving the real openai and mistralai SDKs against the local fake provider server."""

import json
import logging
import time

import pytest
import time_machine
from pydantic import BaseModel

from ai import (
    AIBudgetExceeded,
    AIMalformedOutput,
    AIRateLimited,
    AIUnavailable,
    Delta,
    Persona,
    ReplyRequest,
    ReplyResult,
    Tool,
    VocabHint,
    complete,
    reply,
    reply_stream,
    structured,
)
from ai.models import AIInteraction
from conversations.tests.fake_provider import Scripted
from partner.analysis import analyse_turn

pytestmark = pytest.mark.django_db(transaction=True)

SDKS = ["openai", "mistral"]


class Advice(BaseModel):
    advice: str
    score: int


@pytest.fixture
def request_():
    return ReplyRequest(
        language="english",
        persona=Persona(name="Sam", role="barista", style="cheerful"),
        strictness="gentle",
        starter_turns=["What would you like?"],
        vocab_hints=[VocabHint(phrase="latte", translation="milky coffee")],
        user_text="Hi there",
    )


async def _collect(**kwargs) -> tuple[list[Delta], ReplyResult]:
    items = [item async for item in reply_stream(**kwargs)]
    return items[:-1], items[-1]


async def _rows() -> list[tuple]:
    return [row async for row in AIInteraction.objects.order_by("id").values_list("provider", "status", "fallback")]


@pytest.mark.parametrize("sdk", SDKS)
async def test_stream_assembles_deltas_and_records_one_row(fake_llm, settings, user, request_, sdk):
    # given the provider chosen by settings
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(text="Hello there, what would you like today?"))
    # when the reply streams
    deltas, result = await _collect(user=user, conversation=None, request=request_)
    # then the deltas are indexed in order and make up the stored reply
    assert [d.index for d in deltas] == list(range(len(deltas)))
    assert "".join(d.text for d in deltas) == result.text == "Hello there, what would you like today?"
    assert (result.provider, result.model, result.fallback, result.offline) == (sdk, "fake-model", False, False)
    assert result.tokens_in > 0 and result.tokens_out == len(deltas)
    row = await AIInteraction.objects.aget(pk=result.interaction_id)
    assert (row.status, row.response, row.purpose, row.user_id) == ("ok", result.text, "reply", user.pk)
    # and the prompt carried persona, strictness, starter turns and hints
    sent = fake_llm.requests[0]
    assert sent["body"]["stream"] is True
    assert ("mistral" if sdk == "mistral" else "OpenAI") in sent["user_agent"]
    system = sent["body"]["messages"][0]["content"]
    assert "Sam, a barista" in system and "What would you like?" in system and "latte" in system
    assert sent["body"]["messages"][-1] == {"role": "user", "content": "Hi there"}


@pytest.mark.parametrize("sdk", SDKS)
async def test_reply_without_streaming(fake_llm, settings, user, request_, sdk):
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(text="One latte coming up."))
    result = await reply(user=user, conversation=None, request=request_)
    assert result.text == "One latte coming up."
    assert not fake_llm.requests[0]["body"].get("stream")
    assert await _rows() == [(sdk, "ok", False)]


@pytest.mark.parametrize("sdk", SDKS)
async def test_transient_errors_are_retried_then_succeed(fake_llm, settings, user, request_, sdk):
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(status=500), Scripted(status=429), Scripted(text="Back again."))
    _, result = await _collect(user=user, conversation=None, request=request_)
    assert result.text == "Back again."
    assert len(fake_llm.requests) == 3
    assert await _rows() == [(sdk, "ok", False)]


async def test_persistent_failure_raises_ai_unavailable_with_one_log_line(fake_llm, user, request_, caplog):
    fake_llm.script(*[Scripted(status=503)] * 3)
    with caplog.at_level(logging.WARNING, logger="parley.llm"), pytest.raises(AIUnavailable) as error:
        await reply(user=user, conversation=None, request=request_)
    assert (error.value.status_code, error.value.code) == (503, "ai_unavailable")
    assert len(fake_llm.requests) == 3
    assert await _rows() == [("openai", "error", False)]
    lines = [r for r in caplog.records if r.name == "parley.llm"]
    assert len(lines) == 1
    assert (lines[0].provider, lines[0].purpose, lines[0].status, lines[0].user_id) == (
        "openai",
        "reply",
        "error",
        user.pk,
    )


@pytest.mark.parametrize("sdk", SDKS)
async def test_client_errors_are_not_retried(fake_llm, settings, user, request_, sdk):
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(status=400))
    with pytest.raises(AIUnavailable):
        await reply(user=user, conversation=None, request=request_)
    assert len(fake_llm.requests) == 1
    row = await AIInteraction.objects.aget()
    assert row.status == "error" and "400" in row.error


async def test_retry_after_is_honoured(fake_llm, user, request_):
    fake_llm.script(Scripted(status=429, headers={"Retry-After": "1"}), Scripted(text="Thanks for waiting."))
    started = time.monotonic()
    result = await reply(user=user, conversation=None, request=request_)
    assert result.text == "Thanks for waiting."
    assert time.monotonic() - started >= 1.0


async def test_retry_after_longer_than_the_cap_fails_fast(fake_llm, settings, user, request_):
    settings.LLM_RETRY_MAX_SECONDS = 1.0
    fake_llm.script(Scripted(status=429, headers={"Retry-After": "120"}))
    started = time.monotonic()
    with pytest.raises(AIUnavailable):
        await reply(user=user, conversation=None, request=request_)
    assert len(fake_llm.requests) == 1
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("streaming", [False, True])
async def test_a_hung_provider_times_out(fake_llm, settings, user, request_, streaming):
    # generous enough that a loaded machine still delivers the retry before it times out
    settings.LLM_TIMEOUT_SECONDS = 0.5
    settings.LLM_MAX_RETRIES = 1
    fake_llm.script(Scripted(hang=2.0), Scripted(hang=2.0))
    with pytest.raises(AIUnavailable):
        if streaming:
            await _collect(user=user, conversation=None, request=request_)
        else:
            await reply(user=user, conversation=None, request=request_)
    assert len(fake_llm.requests) == 2
    assert await _rows() == [("openai", "timeout", False)]


@pytest.mark.parametrize("sdk", SDKS)
async def test_a_cut_stream_is_never_stored_as_complete(fake_llm, settings, user, request_, sdk):
    # given a provider that drops the connection after two words
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(text="one two three four five", cut_after=2), Scripted(text="never asked"))
    seen = []
    # when the reply streams, the caller gets the partial deltas and then AIUnavailable
    with pytest.raises(AIUnavailable):
        async for item in reply_stream(user=user, conversation=None, request=request_):
            seen.append(item)
    assert all(isinstance(item, Delta) for item in seen)
    assert "".join(d.text for d in seen) == "one two "
    # and nothing was retried (it would repeat text), the row keeps the partial text as an error
    assert len(fake_llm.requests) == 1
    row = await AIInteraction.objects.aget()
    assert (row.status, row.response) == ("error", "one two ")


async def test_no_fallback_after_deltas_were_sent(fake_llm, settings, user, request_):
    settings.LLM_FALLBACKS = ["offline"]
    fake_llm.script(Scripted(text="one two three", cut_after=1))
    with pytest.raises(AIUnavailable):
        await _collect(user=user, conversation=None, request=request_)
    assert await _rows() == [("openai", "error", False)]


@pytest.mark.parametrize("streaming", [False, True])
async def test_fallback_to_offline_is_flagged(fake_llm, settings, user, request_, streaming):
    settings.LLM_FALLBACKS = ["offline"]
    fake_llm.script(*[Scripted(status=500)] * 3)
    if streaming:
        _, result = await _collect(user=user, conversation=None, request=request_)
    else:
        result = await reply(user=user, conversation=None, request=request_)
    assert (result.provider, result.fallback, result.offline) == ("offline", True, True)
    assert "Sam" in result.text
    assert await _rows() == [("openai", "error", False), ("offline", "ok", True)]


async def test_breaker_opens_fails_fast_and_closes_after_cooldown(fake_llm, settings, user, request_):
    settings.LLM_BREAKER_THRESHOLD = 2
    settings.LLM_BREAKER_COOLDOWN_SECONDS = 30
    settings.LLM_MAX_RETRIES = 0
    with time_machine.travel(time.time(), tick=False) as clock:
        # given two failed calls
        fake_llm.script(Scripted(status=500), Scripted(status=500))
        for _ in range(2):
            with pytest.raises(AIUnavailable):
                await reply(user=user, conversation=None, request=request_)
        # when a third call comes during the cooldown, the provider is not called at all
        with pytest.raises(AIUnavailable):
            await reply(user=user, conversation=None, request=request_)
        assert len(fake_llm.requests) == 2
        # and after the cooldown a success closes the breaker again
        clock.shift(31)
        assert (await reply(user=user, conversation=None, request=request_)).text
        assert (await reply(user=user, conversation=None, request=request_)).text
    assert [status for _, status, _ in await _rows()] == ["error", "error", "circuit_open", "ok", "ok"]


async def test_user_rate_limit_refuses_without_calling(fake_llm, settings, user, other_user, request_):
    settings.LLM_USER_RATE = 2
    for _ in range(2):
        await reply(user=user, conversation=None, request=request_)
    with pytest.raises(AIRateLimited) as error:
        await reply(user=user, conversation=None, request=request_)
    assert error.value.status_code == 429
    assert len(fake_llm.requests) == 2
    # another user has their own allowance
    await reply(user=other_user, conversation=None, request=request_)
    assert await AIInteraction.objects.filter(user=user, status="rate_limited").acount() == 1


async def test_daily_token_budget_is_enforced(fake_llm, settings, user, request_):
    settings.LLM_DAILY_TOKEN_BUDGET = 50
    first = await reply(user=user, conversation=None, request=request_)
    assert first.tokens_in + first.tokens_out >= 50
    with pytest.raises(AIBudgetExceeded):
        await reply(user=user, conversation=None, request=request_)
    assert len(fake_llm.requests) == 1
    assert [status for _, status, _ in await _rows()] == ["ok", "budget_exceeded"]


@pytest.mark.parametrize("sdk", SDKS)
async def test_structured_output_is_validated(fake_llm, settings, user, sdk):
    settings.LLM_PROVIDER = sdk
    fake_llm.script(Scripted(text='{"advice": "Slow down.", "score": 7}'))
    out = await structured(
        user=user,
        conversation=None,
        purpose="advice",
        schema=Advice,
        messages=[{"role": "user", "content": "advise me"}],
    )
    assert out == Advice(advice="Slow down.", score=7)
    assert fake_llm.requests[0]["body"]["response_format"]["type"] == "json_schema"


async def test_malformed_output_is_retried_once(fake_llm, user):
    fake_llm.script(Scripted(text="{not json"), Scripted(text='{"advice": "Breathe.", "score": 3}'))
    out = await structured(user=user, conversation=None, purpose="advice", schema=Advice, messages=[])
    assert out.advice == "Breathe."
    assert len(fake_llm.requests) == 2


@pytest.mark.parametrize("answer", ["{not json", '{"advice": "no score"}'])
async def test_malformed_output_twice_raises_ai_malformed_output(fake_llm, user, answer):
    fake_llm.script(Scripted(text=answer), Scripted(text=answer), Scripted(text=answer))
    with pytest.raises(AIMalformedOutput) as error:
        await structured(user=user, conversation=None, purpose="advice", schema=Advice, messages=[])
    assert isinstance(error.value, AIUnavailable)
    assert len(fake_llm.requests) == 2
    row = await AIInteraction.objects.aget()
    assert (row.status, row.response) == ("malformed", answer)


async def test_a_body_that_is_not_json_is_an_error(fake_llm, user, request_):
    fake_llm.script(Scripted(raw_body="<html>bad gateway</html>"))
    with pytest.raises(AIUnavailable):
        await reply(user=user, conversation=None, request=request_)
    assert await _rows() == [("openai", "error", False)]


@pytest.mark.parametrize("sdk", SDKS)
async def test_tool_calls_come_back_parsed(fake_llm, settings, user, sdk):
    settings.LLM_PROVIDER = sdk
    tool = Tool(
        name="add_vocabulary",
        description="Add a phrase to the learner's list.",
        parameters={"type": "object", "properties": {"phrase": {"type": "string"}}, "required": ["phrase"]},
    )
    fake_llm.script(Scripted(tool_calls=[{"name": "add_vocabulary", "arguments": {"phrase": "latte"}}]))
    messages = [{"role": "user", "content": "save latte"}]
    result = await complete(user=user, conversation=None, purpose="assistant", messages=messages, tools=[tool])
    assert [(c.name, c.arguments) for c in result.tool_calls] == [("add_vocabulary", {"phrase": "latte"})]
    assert fake_llm.requests[0]["body"]["tools"][0]["function"]["name"] == "add_vocabulary"


async def test_analyse_turn_asks_for_at_most_three_findings(fake_llm, user):
    findings = [
        {"type": "particle", "severity": "high", "original": "を", "correction": "が", "explanation": "x"},
        {"type": "spelling", "severity": "low", "original": "a", "correction": "b", "explanation": "y"},
    ]
    fake_llm.script(Scripted(text=json.dumps({"findings": findings})))
    got = await analyse_turn(
        user=user, conversation=None, text="I has a cat", language="english", level="beginner", strictness="gentle"
    )
    # a gentle partner lets the minor slip pass
    assert [f["correction"] for f in got] == ["が"]
    assert "at most 3 findings" in fake_llm.requests[0]["body"]["messages"][0]["content"]


async def test_the_japanese_checker_leads_and_the_provider_adds_what_it_missed(fake_llm, user):
    extra = {"type": "vocabulary", "severity": "medium", "original": "ねこ", "correction": "いぬ", "explanation": "x"}
    fake_llm.script(Scripted(text=json.dumps({"findings": [extra]})))

    got = await analyse_turn(
        user=user, conversation=None, text="ねこを すきです", language="japanese", level="beginner", strictness="strict"
    )

    assert [f["correction"].replace(" ", "") for f in got] == ["ねこがすきです", "いぬ"]


async def test_the_japanese_checker_still_reports_when_the_provider_is_down(fake_llm, user):
    fake_llm.script(*[Scripted(status=500)] * 6)

    got = await analyse_turn(
        user=user, conversation=None, text="ねこを すきです", language="japanese", level="beginner", strictness="strict"
    )

    assert [f["rule"] for f in got] == ["wo_for_ga"]


async def test_conversation_is_linked_on_the_row(fake_llm, user, request_):
    from conversations.models import Conversation

    conversation = await Conversation.objects.acreate(kind="practice", created_by=user)
    result = await reply(user=user, conversation=conversation, request=request_)
    row = await AIInteraction.objects.aget(pk=result.interaction_id)
    assert row.conversation_id == conversation.pk
