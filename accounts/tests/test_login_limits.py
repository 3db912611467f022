"""Every sign-in door (REST, the sign-in page, the admin) shares one limit on failed attempts, per
account and per client address, and believes X-Forwarded-For only from a configured proxy."""

import pytest
from django.test import Client, override_settings
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GUESSES = 15


def rest_login(client, email, password, **extra):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json", **extra)


def page_login(client, email, password, **extra):
    return client.post("/login/", {"email": email, "password": password}, **extra)


def admin_login(client, username, password, **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def test_forged_forwarded_headers_do_not_reset_the_sign_in_page_limit(user):
    client = Client()
    statuses = [
        page_login(client, user.email, f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(GUESSES)
    ]
    right = page_login(client, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert 429 in statuses
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_the_sign_in_page_is_limited_per_account_across_addresses(user):
    statuses = [
        page_login(Client(REMOTE_ADDR=f"10.1.0.{n}"), user.email, f"guess-{n}").status_code for n in range(GUESSES)
    ]
    right = page_login(Client(REMOTE_ADDR="10.9.9.9"), user.email, PASSWORD)

    assert statuses[0] == 400
    assert statuses[-1] == 429
    assert right.status_code == 429
    assert b"Too many" in right.content


def test_the_sign_in_page_is_limited_per_address_across_accounts():
    users = [UserFactory() for _ in range(12)]
    client = Client(REMOTE_ADDR="10.2.0.1")
    statuses = [page_login(client, u.email, "wrong-guess").status_code for u in users]

    assert statuses[0] == 400
    assert statuses[-1] == 429


def test_the_admin_sign_in_is_limited():
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    statuses = [
        admin_login(client, "boss", f"guess-{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(GUESSES)
    ]
    right = admin_login(client, "boss", PASSWORD)

    assert statuses[0] == 200
    assert statuses[-1] == 429
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_rest_sign_in_ignores_forged_forwarded_headers_per_address():
    users = [UserFactory() for _ in range(12)]
    client = APIClient()
    responses = [
        rest_login(client, u.email, "wrong-guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n, u in enumerate(users)
    ]

    assert responses[0].status_code == 401
    assert responses[-1].status_code == 429
    assert responses[-1].json()["code"] == "throttled"
    assert int(responses[-1]["Retry-After"]) > 0


def test_rest_sign_in_locks_the_account_after_repeated_failures(user):
    for n in range(GUESSES):
        rest_login(APIClient(), user.email, f"guess-{n}", REMOTE_ADDR=f"10.3.{n // 250}.{n % 250}")
    right = rest_login(APIClient(), user.email, PASSWORD, REMOTE_ADDR="10.9.9.9")

    assert right.status_code == 429
    assert set(right.json()) >= {"error", "code"}
    assert int(right["Retry-After"]) > 0


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_configured_proxy_forwards_the_client_address():
    """Behind the proxy, each client counts for itself: one address locked out, another still signs in."""
    victims = [UserFactory() for _ in range(12)]
    behind_proxy = Client(REMOTE_ADDR="127.0.0.1")
    for u in victims:
        page_login(behind_proxy, u.email, "wrong-guess", HTTP_X_FORWARDED_FOR="203.0.113.9")
    someone = UserFactory()
    locked = page_login(behind_proxy, someone.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = page_login(behind_proxy, someone.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20")

    assert locked.status_code == 429
    assert other.status_code == 302
