import time
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from accounts import google
from accounts.models import User
from accounts.tests.fake_idp import CLIENT_ID, FakeGoogle

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp(settings):
    fake = FakeGoogle()
    settings.GOOGLE_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CLIENT_SECRET = "secret"
    settings.GOOGLE_TOKEN_URL = f"{fake.base_url}/token"
    settings.GOOGLE_JWKS_URL = f"{fake.base_url}/jwks"
    google._jwks_clients.clear()
    yield fake
    fake.close()


def start(api_client) -> dict:
    response = api_client.get("/api/v1/auth/google/start")
    assert response.status_code == 200, response.content
    body = response.json()
    query = parse_qs(urlparse(body["authorization_url"]).query)
    return {"state": body["state"], "nonce": query["nonce"][0], "query": query}


def test_start_gives_an_authorization_url_with_state_pkce_and_nonce(api_client, idp):
    flow = start(api_client)

    assert flow["query"]["client_id"] == [CLIENT_ID]
    assert flow["query"]["state"] == [flow["state"]]
    assert flow["query"]["code_challenge_method"] == ["S256"]
    assert flow["query"]["code_challenge"][0]


def test_start_can_redirect_the_browser(api_client, idp):
    response = api_client.get("/api/v1/auth/google/start?redirect=1")

    assert response.status_code == 302
    assert response["Location"].startswith("https://accounts.google.com/")


def test_callback_exchanges_the_code_and_signs_the_user_in(api_client, idp):
    flow = start(api_client)
    code = idp.issue_code(nonce=flow["nonce"])

    response = api_client.get(f"/api/v1/auth/google/callback?code={code}&state={flow['state']}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["email"] == "hana@example.com"
    assert body["user"]["provider"] == "google"
    assert idp.token_requests[0]["code_verifier"]
    user = User.objects.get(email="hana@example.com", provider="google")
    assert not user.has_usable_password()


def test_a_replayed_state_is_refused(api_client, idp):
    flow = start(api_client)
    first = api_client.get(
        f"/api/v1/auth/google/callback?code={idp.issue_code(nonce=flow['nonce'])}&state={flow['state']}"
    )

    replay = api_client.get(
        f"/api/v1/auth/google/callback?code={idp.issue_code(nonce=flow['nonce'])}&state={flow['state']}"
    )

    assert first.status_code == 200
    assert replay.status_code == 401
    assert replay.json()["code"] == "invalid_state"


def test_a_token_with_another_nonce_is_refused(api_client, idp):
    flow = start(api_client)

    response = api_client.get(
        f"/api/v1/auth/google/callback?code={idp.issue_code(nonce='other')}&state={flow['state']}"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "nonce_mismatch"


def test_posting_a_good_id_token_signs_in_and_reuses_the_account(api_client, idp):
    first = api_client.post("/api/v1/auth/google/token", {"id_token": idp.id_token()}, format="json")
    second = api_client.post("/api/v1/auth/google/token", {"id_token": idp.id_token()}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["user_id"] == second.json()["user_id"]
    assert User.objects.filter(provider="google").count() == 1


def test_a_google_account_is_separate_from_a_local_one_with_the_same_email(api_client, idp, user):
    response = api_client.post("/api/v1/auth/google/token", {"id_token": idp.id_token(email=user.email)}, format="json")

    assert response.status_code == 200
    assert response.json()["user_id"] != str(user.id)
    assert User.objects.filter(email=user.email).count() == 2


@pytest.mark.parametrize(
    ("make_token", "code"),
    [
        (lambda idp: idp.id_token(aud="someone-else"), "wrong_audience"),
        (lambda idp: idp.id_token(exp=int(time.time()) - 60, iat=int(time.time()) - 3600), "token_expired"),
        (lambda idp: idp.id_token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)), "invalid_token"),
        (lambda idp: idp.id_token(iss="https://evil.example.com"), "wrong_issuer"),
        (lambda idp: "not.a.jwt", "invalid_token"),
    ],
    ids=["wrong-audience", "expired", "bad-signature", "wrong-issuer", "garbage"],
)
def test_bad_id_tokens_are_refused(api_client, idp, make_token, code):
    response = api_client.post("/api/v1/auth/google/token", {"id_token": make_token(idp)}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == code
    assert not User.objects.filter(provider="google").exists()


def test_google_is_unavailable_when_not_configured(api_client, settings):
    settings.GOOGLE_CLIENT_ID = ""

    response = api_client.get("/api/v1/auth/google/start")

    assert response.status_code == 503
    assert response.json()["code"] == "google_not_configured"
