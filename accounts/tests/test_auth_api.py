import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def signup(client, **data):
    return client.post("/api/v1/auth/signup", {"email": "mai@example.com", "password": PASSWORD, **data}, format="json")


def login(client, email="mai@example.com", password=PASSWORD, **extra):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json", **extra)


def test_signup_creates_a_local_user_and_returns_tokens(api_client):
    response = signup(api_client, username="mai")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"user_id", "email", "username", "token", "refresh"}
    user = User.objects.get(id=body["user_id"])
    assert (user.email, user.username, user.provider) == ("mai@example.com", "mai", "local")
    assert user.password.startswith("argon2")
    assert user.activation_state == "new"


@pytest.mark.parametrize("username", ["ç", "アイコ", "mai chan", "\x1e", " mai", "  "])
def test_a_username_outside_the_published_pattern_is_refused(api_client, username):
    """The schema's pattern is read by JSON Schema (ECMA) tools, where \\w is ASCII only: the server agrees."""
    import re

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    pattern = schema["components"]["schemas"]["SignupRequest"]["properties"]["username"]["oneOf"][0]["pattern"]

    response = signup(api_client, username=username)

    assert response.status_code == 400
    assert "username" in response.json()["fields"]
    assert re.fullmatch(pattern, username, flags=re.ASCII) is None


def test_register_is_the_same_operation(api_client):
    response = api_client.post(
        "/api/v1/auth/register/", {"email": "ken@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["username"] == "ken"


def test_signup_with_a_taken_email_is_a_conflict(api_client):
    signup(api_client)

    response = signup(api_client, email="MAI@example.com")

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "short1"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
    ],
)
def test_signup_rejects_bad_input_with_the_error_envelope(api_client, data, field):
    response = signup(api_client, **data)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] in {"invalid", "weak_password"}
    assert field in body["fields"]
    assert body["error"]
    assert User.objects.count() == 0


def test_login_returns_tokens_and_the_user(api_client):
    signup(api_client)

    response = login(api_client)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["email"] == "mai@example.com"
    assert body["user"]["user_id"] == body["user_id"]
    assert body["token"] and body["refresh"]


@pytest.mark.parametrize(
    ("email", "password"), [("mai@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)]
)
def test_login_with_wrong_credentials_is_401(api_client, email, password):
    signup(api_client)

    response = login(api_client, email=email, password=password)

    assert response.status_code == 401
    assert response.json() == {"error": "Wrong email or password.", "code": "invalid_credentials"}


def test_login_with_a_missing_field_is_400(api_client):
    response = api_client.post("/api/v1/auth/login", {"email": "mai@example.com"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()["fields"]


def test_me_returns_the_callers_account(api_client):
    token = signup(api_client).json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = api_client.get("/api/v1/auth/me")

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "mai@example.com"
    assert set(body) >= {"user_id", "email", "username", "provider", "activation_state", "is_online", "last_seen"}


@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Token abc"])
def test_me_without_a_valid_token_is_401(api_client, header):
    if header:
        api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/api/v1/auth/me/")

    assert response.status_code == 401
    assert response.json()["code"] in {"not_authenticated", "authentication_failed", "token_not_valid"}


def test_a_token_only_ever_shows_its_own_user(api_client, user, other_user, auth_client):
    response = auth_client.get("/api/v1/auth/me")

    assert response.json()["user_id"] == str(user.id)
    assert response.json()["user_id"] != str(other_user.id)


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client):
    refresh = signup(api_client).json()["refresh"]

    first = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
    replay = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")

    assert first.status_code == 200
    assert set(first.json()) == {"token", "refresh"}
    assert first.json()["refresh"] != refresh
    assert replay.status_code == 401


def test_logout_revokes_the_refresh_token(api_client):
    refresh = signup(api_client).json()["refresh"]

    response = api_client.post("/api/v1/auth/logout", {"refresh": refresh}, format="json")
    after = api_client.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "Logged out successfully"}
    assert after.status_code == 401


@pytest.mark.parametrize(("payload", "status"), [({"refresh": "garbage"}, 401), ({}, 400)])
def test_logout_with_a_bad_token_is_refused(api_client, payload, status):
    response = api_client.post("/api/v1/auth/logout", payload, format="json")

    assert response.status_code == status


def test_a_burst_of_wrong_passwords_is_throttled_with_retry_after(api_client, user):
    statuses = [login(api_client, email=user.email, password="wrong-password").status_code for _ in range(11)]
    blocked = login(api_client, email=user.email)

    # The tenth failure reaches the limit (LOGIN_FAILURE_LIMIT): that attempt is already refused.
    assert statuses[:9] == [401] * 9
    assert statuses[9:] == [429, 429]
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert blocked.json()["code"] == "throttled"


def test_login_is_throttled_per_account_across_ips():
    client = APIClient()
    signup(client, email="target@example.com")

    statuses = [
        login(client, email="target@example.com", password="nope-nope", REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(12)
    ]

    assert statuses[-1] == 429


def test_inactive_users_cannot_log_in(api_client, user):
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = login(api_client, email=user.email)

    assert response.status_code == 401
