"""The Content-Security-Policy: scripts only from this site's files, and no template with an inline
script or an inline event handler (which that policy would block)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "staticfiles", "node_modules", ".git"}
# An executable <script> without src; data blocks (json_script: application/json) are not scripts.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _templates() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.html")
        if not SKIP & set(path.relative_to(ROOT).parts) and "templates" in path.relative_to(ROOT).parts
    ]


def _directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_the_project_has_templates_to_check():
    assert len(_templates()) > 20


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_runs_an_inline_script_or_handler(template):
    text = template.read_text()

    assert not INLINE_SCRIPT.search(text)
    assert not EVENT_HANDLER.search(text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/signup/", "/api/docs/", "/api/redoc/", "/admin/login/"])
def test_every_page_carries_a_policy_without_inline_scripts(client, path):
    response = client.get(path)

    assert response.status_code == 200
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not INLINE_SCRIPT.search(response.content.decode())


@pytest.mark.django_db
def test_swagger_ui_starts_from_a_file(client):
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?script[^"]*)"', page)

    assert script, "Swagger UI's start-up script is not a file"
    started = client.get(script.group(1).replace("&amp;", "&"))
    assert started.status_code == 200 and "SwaggerUIBundle" in started.content.decode()
