import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_healthz_reports_every_dependency(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["db_connected"] is True
    assert body["cache_connected"] is True
    assert body["channel_layer_connected"] is True
    assert body["timestamp"]


def test_healthz_is_degraded_when_the_cache_is_down(client, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["cache_connected"] is False
    assert response.json()["db_connected"] is True


def test_metrics_are_in_prometheus_format(client):
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"# TYPE" in response.content


def test_the_openapi_schema_and_swagger_ui_are_served(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/auth/login" in schema.content
    assert docs.status_code == 200


def production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT"}}
    env.update(
        DEBUG="0",
        SECRET_KEY="prod-" + "x9Kq2" * 12,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}"),
        **extra,
    )
    return env


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _database_options(tmp_path, database_url: str, **extra) -> dict:
    """The database OPTIONS the production settings build for `database_url` (no connection made)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings", **extra)
    env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_binds_parameters_on_the_server_unless_turned_off(tmp_path):
    url = "postgres://parley@db.example:5432/parley"

    assert _database_options(tmp_path, url)["server_side_binding"] is True
    assert _database_options(tmp_path, url, DATABASE_SERVER_SIDE_BINDING="0")["server_side_binding"] is False
    assert "server_side_binding" not in _database_options(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_daphne_serves_the_app_and_static_files_over_plain_http(tmp_path):
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="0")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/metrics", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        css = httpx.get(f"{base}/static/css/parley.css", timeout=5)
        docs = httpx.get(f"{base}/api/docs/", timeout=5)
    finally:
        daphne.terminate()
        daphne.wait(timeout=10)

    assert css.status_code == 200
    assert "--accent" in css.text
    assert docs.status_code == 200
