import pytest

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_404_envelope(api_client):
    response = api_client.get("/api/v1/does-not-exist")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("path", ["/api/v1/vocabulary/null,null/", "/api/v1/templates/%C2%84/"])
def test_an_api_path_no_route_matches_renders_no_page(auth_client, settings, tmp_path, path):
    """No page template is rendered for it, so a missing static manifest cannot turn it into a 500."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path

    response = auth_client.get(path)

    assert response.status_code == 404
    assert response.json() == {"error": "Not found.", "code": "not_found"}


def test_a_wrong_method_is_a_405_envelope(api_client):
    response = api_client.get("/api/v1/auth/login")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_malformed_json_is_a_400_envelope(api_client):
    response = api_client.post("/api/v1/auth/login", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_an_unauthenticated_call_is_a_401_envelope(api_client):
    response = api_client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert set(response.json()) == {"error", "code"}


@pytest.mark.urls("config.tests.urls_failing")
@pytest.mark.parametrize("path", ["/api/v1/crash", "/api/v1/crash-plain"])
def test_an_unexpected_error_is_a_logged_500_with_a_generic_message(path, caplog):
    from django.test import Client

    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 500
    assert response.json() == {"error": "Something went wrong on our side. Please retry later.", "code": "server_error"}
    assert "boom" not in response.content.decode()
    assert any("unhandled error" in record.getMessage() for record in caplog.records)


def test_a_form_body_is_a_415_envelope(auth_client):
    response = auth_client.post("/api/v1/vocabulary", {"phrase": "ねこ", "language": "japanese"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_json_value_of_the_wrong_type_is_a_400_naming_the_field(auth_client):
    response = auth_client.post("/api/v1/vocabulary", {"phrase": 7, "language": "japanese"}, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {"phrase": ["Expected a string, not an integer."]}


@pytest.mark.parametrize("query", ["limit=0", "limit=ten", "offset=-1", "limit=5.0"])
def test_a_malformed_page_parameter_is_a_400(auth_client, query):
    response = auth_client.get(f"/api/v1/sessions?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_an_empty_page_parameter_means_the_default(auth_client):
    response = auth_client.get("/api/v1/sessions?limit=&offset=")

    assert response.status_code == 200, response.content


def test_an_integer_query_parameter_written_as_a_decimal_is_a_400(auth_client):
    response = auth_client.get("/api/v1/analytics/trends?limit=5.0")

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": ["A valid integer is required."]}


def test_an_empty_integer_query_parameter_means_the_default(auth_client):
    response = auth_client.get("/api/v1/analytics/trends?limit=")

    assert response.status_code == 200, response.content
