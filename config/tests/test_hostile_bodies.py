"""Bodies an attacker sends anyone, signed in or not: too big, too deep, not text. Each is a 4xx in
the error envelope, never a 500."""

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def post_raw(path: str, body: bytes, client=None):
    return (client or APIClient()).generic("POST", path, body, content_type="application/json")


def assert_envelope(response, status: int):
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) >= {"error", "code"}
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize("megabytes", [10, 50])
def test_a_huge_json_body_is_a_413(megabytes):
    body = json.dumps({"email": "a@example.com", "password": "x" * (megabytes * 1024 * 1024)}).encode()

    response = post_raw("/api/v1/auth/login", body)

    assert_envelope(response, 413)


def test_a_huge_body_from_a_signed_in_user_is_a_413(auth_client):
    body = json.dumps({"phrase": "x" * (10 * 1024 * 1024), "language": "japanese"}).encode()

    response = post_raw("/api/v1/vocabulary", body, client=auth_client)

    assert_envelope(response, 413)


def test_json_nested_a_hundred_thousand_deep_is_a_400():
    response = post_raw("/api/v1/auth/login", b"[" * 100_000 + b"]" * 100_000)

    assert_envelope(response, 400)


@pytest.mark.parametrize("email", ['"\\ud800@example.com"', '"a\\u0000@example.com"'])
def test_a_lone_surrogate_or_nul_in_the_login_email_is_a_400(email):
    response = post_raw("/api/v1/auth/login", f'{{"email": {email}, "password": "whatever-pass"}}'.encode())

    assert_envelope(response, 400)
    assert "email" in response.json().get("fields", {})
