"""Admission (the per-user rate and budget, the breakers) guards the LLM providers, never the offline partner.

The offline partner costs nothing, cannot be down and calls no one: a call it answers is not
counted, refused or settled. An LLM in the chain, first or after it, is admitted as before.
"""

import pytest

from ai import AIRateLimited, AIUnavailable, ReplyRequest, complete, reply
from ai.models import AIInteraction
from conversations.tests.fake_provider import Scripted

pytestmark = pytest.mark.django_db(transaction=True)

ASK = [{"role": "user", "content": "Which phrase should I learn next?"}]


@pytest.fixture
def request_():
    return ReplyRequest(language="english", user_text="Hi there")


@pytest.fixture
def offline(settings):
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []


async def _rows() -> list[tuple]:
    return [row async for row in AIInteraction.objects.order_by("id").values_list("provider", "status", "fallback")]


async def test_the_offline_partner_answers_past_the_llm_rate_and_budget(offline, settings, user, request_):
    # given a user allowed one LLM call a minute and a single token a day
    settings.LLM_USER_RATE = 1
    settings.LLM_DAILY_TOKEN_BUDGET = 1
    # when the offline partner answers three times
    for _ in range(3):
        assert (await reply(user=user, conversation=None, request=request_)).offline
    # then none of them was counted or refused, and each has its row
    assert await _rows() == [("offline", "ok", False)] * 3


async def test_an_offline_failure_opens_no_breaker(offline, settings, user, request_):
    # given a breaker that would open on the first failure
    settings.LLM_BREAKER_THRESHOLD = 1
    # when the offline partner fails a purpose it has no handler for
    with pytest.raises(AIUnavailable):
        await complete(user=user, conversation=None, purpose="unheard_of", messages=ASK)
    # then it still answers the next call: it cannot be down
    assert (await reply(user=user, conversation=None, request=request_)).offline
    assert await _rows() == [("offline", "error", False), ("offline", "ok", False)]


async def test_an_llm_fallback_after_the_offline_partner_is_admitted(fake_llm, settings, monkeypatch, user):
    # given the offline partner first, then an LLM (the fake one) for what it cannot answer
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = ["openai:fake-model"]
    monkeypatch.setenv("OPENAI_BASE_URL", fake_llm.url)
    settings.LLM_USER_RATE = 1
    fake_llm.script(Scripted(text="Try 'latte'."))
    # when two calls fall through to the LLM
    first = await complete(user=user, conversation=None, purpose="unheard_of", messages=ASK)
    with pytest.raises(AIRateLimited):
        await complete(user=user, conversation=None, purpose="unheard_of", messages=ASK)
    # then the first was admitted and answered, the second refused before reaching it
    assert (first.text, first.provider, first.fallback) == ("Try 'latte'.", "openai", True)
    assert len(fake_llm.requests) == 1
    assert await _rows() == [
        ("offline", "error", False),
        ("openai", "ok", True),
        ("offline", "error", False),
        ("openai", "rate_limited", True),
    ]


async def test_an_llm_first_is_admitted_even_when_the_offline_partner_would_answer(fake_llm, settings, user, request_):
    # given an LLM that fails, with the offline partner as its fallback, and one LLM call a minute
    settings.LLM_FALLBACKS = ["offline"]
    settings.LLM_USER_RATE = 1
    fake_llm.script(*[Scripted(status=500)] * 3)
    # when the first call falls back to the offline partner
    assert (await reply(user=user, conversation=None, request=request_)).offline
    # then the second is refused before either provider is tried
    with pytest.raises(AIRateLimited):
        await reply(user=user, conversation=None, request=request_)
    assert await _rows() == [("openai", "error", False), ("offline", "ok", True), ("openai", "rate_limited", False)]
