"""Finding people: by username or display name, by email only when the whole address is typed,
so no prefix game recovers someone's address."""

import pytest

from accounts.models import User
from conversations.tests.test_messaging_api import client_for, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def searcher():
    return person("searcher")


def usernames(client, search: str) -> list[str]:
    response = client.get("/api/v1/users", {"search": search})
    assert response.status_code == 200
    return [p["username"] for p in response.json()["results"]]


def test_an_email_prefix_finds_nobody(searcher):
    User.objects.create(username="kim", email="hidden.agent@example.org", password="!")
    client = client_for(searcher)

    assert usernames(client, "h") == []
    assert usernames(client, "hidden") == []
    assert usernames(client, "hidden.agent@example.or") == []


def test_a_whole_email_finds_its_owner_in_any_case(searcher):
    User.objects.create(username="kim", email="hidden.agent@example.org", password="!")

    assert usernames(client_for(searcher), "Hidden.Agent@Example.org ") == ["kim"]


def test_username_and_display_name_prefixes_still_find_people(searcher):
    person("kimura", display_name="Haruto")
    person("zed", display_name="Kimberly")

    assert usernames(client_for(searcher), "kim") == ["kimura", "zed"]
    assert usernames(client_for(searcher), "haru") == ["kimura"]
