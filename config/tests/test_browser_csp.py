"""Every page works under the Content-Security-Policy in a real browser: Chromium reports no
violation while a learner practises and browses, nor on the API docs. Same servers and launch
options as test_browser.py (its fixtures are reused)."""

import pytest
from playwright.sync_api import expect

from config.tests.test_browser import (  # noqa: F401 (fixtures)
    TURNS,
    _clean_cache,
    _say,
    _sign_up,
    _start_japanese_session,
    browser_context_args,
    browser_type_launch_args,
    server_database_url,
    servers,
)

pytestmark = pytest.mark.browser


def test_no_page_breaks_the_content_security_policy(page, servers):  # noqa: F811
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append((page.url, m.text)))
    page.on("pageerror", lambda error: violations.append((page.url, str(error))))

    first = page.goto(f"{base}/signup/")
    _sign_up(page, base)
    session_id = _start_japanese_session(page)
    _say(page, TURNS[0], replies=2)
    for path in ["/", "/messages/", "/history/", "/vocabulary/", "/trends/", "/profile/", "/review/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/sessions/{session_id}/")
    expect(page.locator("#transcript[data-ready]")).to_have_count(1)

    page.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    page.goto(f"{base}/api/redoc/")
    expect(page.locator("[data-section-id^='tag/']").first).to_be_attached(timeout=60_000)
    page.wait_for_load_state("networkidle")

    assert "script-src 'self'" in first.headers["content-security-policy"]
    # ReDoc's bundle always asks Redocly's CDN for its logo: refused on purpose (config/templates/redoc.html).
    assert [v for v in violations if "https://cdn.redoc.ly/" not in v[1]] == []
