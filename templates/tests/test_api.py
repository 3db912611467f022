import pytest

from templates.exceptions import TemplateNotFound
from templates.selectors import template_get, template_list
from templates.tests.factories import ConversationTemplateFactory

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id",
    "slug",
    "language",
    "level",
    "title",
    "topic",
    "description",
    "persona",
    "starter_turns",
    "vocab_hints",
    "goals",
    "mode",
    "preparation_type",
    "meeting_subtype",
}


@pytest.fixture
def catalogue(db):
    return {
        "casual": ConversationTemplateFactory(slug="casual", topic="casual"),
        "travel": ConversationTemplateFactory(slug="travel", topic="travel"),
        "japanese-intermediate": ConversationTemplateFactory(slug="casual", level="intermediate"),
        "spanish": ConversationTemplateFactory(slug="cafe", language="spanish", topic="food-and-drink"),
        "interview": ConversationTemplateFactory(
            slug="behavioural-interview",
            language="english",
            level="intermediate",
            mode="interview",
            preparation_type="Interview",
            meeting_subtype="Behavioral",
        ),
        "retired": ConversationTemplateFactory(slug="old", is_active=False),
    }


def _slugs(response) -> list[tuple[str, str, str]]:
    return [(item["language"], item["level"], item["slug"]) for item in response.json()["results"]]


def test_list_needs_no_login_and_pages(api_client, catalogue):
    # given a catalogue and an anonymous client
    # when it lists templates
    response = api_client.get("/api/v1/templates")
    # then it sees every active template, paginated, with the documented fields
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"results", "count", "next", "previous"}
    assert body["count"] == 5
    assert set(body["results"][0]) == ITEM_FIELDS
    assert ("japanese", "beginner", "old") not in _slugs(response)


def test_list_with_a_stale_token_still_works(api_client, catalogue):
    # given a client sending an invalid bearer token
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    # when it lists templates
    response = api_client.get("/api/v1/templates/")
    # then the public catalogue answers anyway
    assert response.status_code == 200, response.content


def test_list_filters_by_language_and_level(api_client, catalogue):
    # when filtering on Japanese beginner
    response = api_client.get("/api/v1/templates", {"language": "japanese", "level": "beginner"})
    # then only those come back, in the model's ordering
    assert _slugs(response) == [("japanese", "beginner", "casual"), ("japanese", "beginner", "travel")]


def test_list_filters_by_mode_and_topic(api_client, catalogue):
    # when filtering on interview mode, then on a topic
    by_mode = api_client.get("/api/v1/templates", {"mode": "interview"})
    by_topic = api_client.get("/api/v1/templates", {"topic": "food-and-drink"})
    # then each filter narrows the list
    assert _slugs(by_mode) == [("english", "intermediate", "behavioural-interview")]
    assert by_mode.json()["results"][0]["preparation_type"] == "Interview"
    assert _slugs(by_topic) == [("spanish", "beginner", "cafe")]


@pytest.mark.parametrize("params", [{"language": "klingon"}, {"level": "expert"}, {"mode": "karaoke"}])
def test_bad_filter_value_is_a_400_envelope(api_client, catalogue, params):
    # when a filter has a value outside its choices
    response = api_client.get("/api/v1/templates", params)
    # then the envelope names the field
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == set(params)


def test_list_query_count_is_bounded(api_client, catalogue, django_assert_num_queries):
    # given more templates
    ConversationTemplateFactory.create_batch(10)
    # when listing, the page costs a count and a select, however many rows
    with django_assert_num_queries(2):
        response = api_client.get("/api/v1/templates", {"limit": 50})
    assert response.json()["count"] == 15


def test_detail_by_slug(api_client, catalogue):
    # when fetching a template by slug
    response = api_client.get("/api/v1/templates/travel/")
    # then the whole item comes back
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == ITEM_FIELDS
    assert body["id"] == str(catalogue["travel"].id)
    assert body["starter_turns"][0]["speaker"] == "partner"


def test_detail_disambiguates_by_language_and_level(api_client, catalogue):
    # given "casual" at beginner and intermediate
    # when asking without and with a level
    first = api_client.get("/api/v1/templates/casual")
    chosen = api_client.get("/api/v1/templates/casual", {"language": "japanese", "level": "intermediate"})
    # then the first by ordering, or the one asked for
    assert first.json()["id"] == str(catalogue["casual"].id)
    assert chosen.json()["id"] == str(catalogue["japanese-intermediate"].id)


@pytest.mark.parametrize("slug", ["no-such-template", "old"])
def test_unknown_or_retired_slug_is_a_404_envelope(api_client, catalogue, slug):
    # when fetching a slug that is absent or retired
    response = api_client.get(f"/api/v1/templates/{slug}")
    # then 404 in the envelope
    assert response.status_code == 404
    assert response.json() == {"error": "No active template with this slug.", "code": "template_not_found"}


def test_detail_rejects_a_bad_level(api_client, catalogue):
    # when the disambiguation parameter is not a level
    response = api_client.get("/api/v1/templates/casual", {"level": "expert"})
    # then 400
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_selectors_serve_the_session_service(catalogue):
    # when another app asks for templates
    interviews = template_list(mode="interview")
    template = template_get(slug="casual", language="japanese", level="intermediate")
    # then it gets active rows, and a clear error for a missing one
    assert list(interviews) == [catalogue["interview"]]
    assert template == catalogue["japanese-intermediate"]
    assert template.opening_turn == template.starter_turns[0]
    with pytest.raises(TemplateNotFound):
        template_get(slug="old")


def test_schema_documents_the_template_endpoints(api_client):
    # when the OpenAPI schema is fetched
    response = api_client.get("/api/schema/", {"format": "json"})
    # then both template operations are there with their filters
    paths = response.json()["paths"]
    list_params = {param["name"] for param in paths["/api/v1/templates/"]["get"]["parameters"]}
    assert {"language", "level", "mode", "topic", "limit", "offset"} <= list_params
    assert "/api/v1/templates/{slug}/" in paths
