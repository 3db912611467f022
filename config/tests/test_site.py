"""What every page shares: its own title, the icon, a welcome that fits the learner, a page for a
wrong address, and API documentation that needs nothing from outside the app."""

import re

import pytest
from django.test import Client

from accounts.models import User
from conversations.services.sessions import session_start
from templates.tests.factories import ConversationTemplateFactory

pytestmark = pytest.mark.django_db

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.DOTALL).group(1).strip()


@pytest.fixture
def learner_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def practice(user):
    template = ConversationTemplateFactory(title="Ordering at a café")
    return session_start(user=user, mode="language", language="japanese", level="beginner", template=str(template.id))


def test_signed_out_pages_have_their_own_titles(client):
    titles = {path: _title(client.get(path)) for path in ["/", "/login/", "/signup/"]}

    assert titles == {
        "/": "Practise conversations · Parley",
        "/login/": "Sign in · Parley",
        "/signup/": "Sign up · Parley",
    }


def test_every_learner_page_has_its_own_title(learner_client, practice):
    paths = ["/", "/messages/", "/history/", "/vocabulary/", "/trends/", "/profile/", f"/sessions/{practice.id}/"]
    titles = [_title(learner_client.get(path)) for path in paths]

    assert titles[0] == "Dashboard · Parley"
    assert titles[-1] == "Ordering at a café · Parley"
    assert all(title.endswith(" · Parley") for title in titles)
    assert len(set(titles)) == len(paths)


def test_a_wrong_address_is_a_page_with_its_title_and_a_way_back(learner_client):
    response = learner_client.get("/no-such-page/")

    assert response.status_code == 404
    assert _title(response) == "Page not found · Parley"
    assert b'href="/"' in response.content


def test_a_new_learner_is_welcomed_and_a_returning_one_welcomed_back(client):
    client.post("/signup/", {"email": "hana@example.com", "password": "a long practice password"})
    first = client.get("/").content.decode()
    template = ConversationTemplateFactory()
    learner = User.objects.get(email="hana@example.com")
    session_start(user=learner, mode="language", language="japanese", level="beginner", template=str(template.id))
    later = client.get("/").content.decode()

    assert re.search(r"<h1>Welcome, \w", first)
    assert "Welcome back" not in first
    assert "<h1>Welcome back, " in later


def test_pages_link_the_icon_and_browsers_asking_for_favicon_ico_find_it(client):
    page = client.get("/").content.decode()
    icon = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert icon.status_code == 301
    assert icon["Location"] == "/static/favicon.svg"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/docs/?script", "/api/redoc/"])
def test_api_documentation_loads_nothing_from_outside_the_app(client, path):
    response = client.get(path)
    body = response.content.decode()

    assert response.status_code == 200
    assert not EXTERNAL.search(body), EXTERNAL.search(body)
    assert "cdn" not in body.lower()


def test_swagger_ui_and_redoc_load_their_bundles_from_static_files(client):
    swagger = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script").content.decode()
    redoc = client.get("/api/redoc/").content.decode()

    assert '<script src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js">' in swagger
    assert '<script src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js">' in redoc
    assert '<redoc spec-url="/api/schema/">' in redoc
    assert '"validatorUrl": null' in script
    assert "img-src 'self' data:" in redoc


def test_the_landing_page_links_both_api_documentations(client):
    page = client.get("/").content.decode()

    assert 'href="/api/docs/"' in page
    assert 'href="/api/redoc/"' in page
