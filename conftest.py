import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from config.db import database_threads_close


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and cached context must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


# The page the test sockets come from: channels' communicators send an Origin but no Host, so the
# site's own origin cannot be told from the request (config.origins); it is trusted instead.
TEST_PAGE_ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(autouse=True)
def _test_page_origin(settings):
    settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, TEST_PAGE_ORIGIN]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The test database, whose connections in the socket threads are closed before it is dropped."""
    yield
    database_threads_close()


def _commands_sent(monkeypatch, client, pipeline) -> list[str]:
    """The commands a redis-py client class sends from now on, as bench/turn_profile.py counts them:
    a pipeline is one round trip, "pipeline". Blocking or asyncio alike: each call is counted as
    it is made and its result (a coroutine for asyncio) handed back."""
    sent = []
    execute_command, execute = client.execute_command, pipeline.execute

    def command(self, *args, **options):
        sent.append(args[0])
        return execute_command(self, *args, **options)

    def pipelined(self, *args, **options):
        sent.append("pipeline")
        return execute(self, *args, **options)

    monkeypatch.setattr(client, "execute_command", command)
    monkeypatch.setattr(pipeline, "execute", pipelined)
    return sent


@pytest.fixture
def redis_commands(monkeypatch) -> list[str]:
    """The commands the channel layer (redis-py's asyncio client) sends from now on."""
    from redis.asyncio.client import Pipeline, Redis

    return _commands_sent(monkeypatch, Redis, Pipeline)


@pytest.fixture
def cache_commands(monkeypatch) -> list[str]:
    """The commands the Redis cache (redis-py's blocking client) sends from now on."""
    from redis.client import Pipeline, Redis

    return _commands_sent(monkeypatch, Redis, Pipeline)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from accounts.tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def auth_client(user):
    from accounts.services import tokens_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=user)['token']}")
    return client


@pytest.fixture(scope="session")
def fake_provider_server():
    from conversations.tests.fake_provider import FakeProvider

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
