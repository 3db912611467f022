import asyncio

import pytest

from conversations.services import replies
from conversations.tests.fake_provider import FakeProvider


@pytest.fixture(scope="session")
def fake_provider_server():
    server = FakeProvider()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_provider_server, settings):
    """The fake server as the OpenAI-compatible provider, with retries and backoff small enough for tests."""
    fake_provider_server.reset()
    settings.LLM_PROVIDER = "openai"
    settings.LLM_MODEL = "fake-model"
    settings.LLM_BASE_URL = fake_provider_server.url
    settings.OPENAI_API_KEY = "sk-test"
    settings.MISTRAL_API_KEY = "mk-test"
    settings.LLM_FALLBACKS = []
    settings.LLM_TIMEOUT_SECONDS = 2.0
    settings.LLM_MAX_RETRIES = 2
    settings.LLM_RETRY_BASE_SECONDS = 0.001
    settings.LLM_RETRY_MAX_SECONDS = 2.0
    settings.LLM_BREAKER_THRESHOLD = 50
    settings.LLM_BREAKER_COOLDOWN_SECONDS = 30.0
    settings.LLM_USER_RATE = 1000
    settings.LLM_DAILY_TOKEN_BUDGET = 1_000_000
    yield fake_provider_server
    fake_provider_server.reset()


@pytest.fixture
async def replies_settled():
    """Let replies still running in the background finish before the database is torn down."""
    yield
    if replies._background:
        await asyncio.wait(list(replies._background), timeout=10)
