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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The test database, whose connections in the socket threads are closed before it is dropped."""
    yield
    database_threads_close()


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
