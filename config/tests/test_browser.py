"""The learner UI in a real browser: Playwright drives Debian's Chromium against daphne.

pytest-django's live_server speaks WSGI only, and the chat needs its socket, so these tests run
daphne (the real ASGI app) in subprocesses on a database of their own: a file for SQLite, a fresh
database beside the test one on PostgreSQL. It is migrated and seeded once per module; every test
signs up its own learner, so tests share nothing but the catalogue. Two servers share it: one
with the offline partner, one whose provider points at a closed port, for the outage.
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import environ
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "a long practice password"

# Ten turns of correct beginner Japanese (the offline checker stays silent on them), then a slip.
TURNS = [
    "こんにちは",
    "はじめまして",
    "わたしの ほんです",
    "すしが たべたいです",
    "としょかんで べんきょうします",
    "きのう えいがを みました",
    "あした いきます",
    "さんじに あいましょう",
    "にほんごが はなせます",
    "ありがとう ございます",
]
WRONG = "わたしを がくせい です"


@pytest.fixture(autouse=True)
def _clean_cache():
    """Overrides the project-wide fixture: with Redis its cache.clear() is FLUSHDB, which would pull
    the servers' channel-layer groups out from under open sockets."""
    yield


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args():
    return {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin(config: dict):
    import psycopg

    return psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture(scope="module")
def server_database_url(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql", "pgsql")):
        yield f"sqlite:///{tmp_path_factory.mktemp('browser') / 'db.sqlite3'}"
        return
    config = environ.Env.db_url_config(url)
    name = f"{config['NAME']}_browser_{os.getpid()}"
    with _postgres_admin(config) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with _postgres_admin(config) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_env(database_url: str, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "LLM_PROVIDER": "offline",
        # Its own keys in a shared Redis, so nothing here meets the rest of the suite.
        "CACHE_KEY_PREFIX": f"parley-browser-{os.getpid()}",
        "CHANNEL_LAYER_PREFIX": f"parley-browser-{os.getpid()}",
        "LOG_LEVEL": "WARNING",
        # Each turn is three gateway calls (reply, analysis, vocabulary); a scripted learner types
        # faster than the default 30 calls a minute allow.
        "LLM_USER_RATE": "1000",
        # Every browser test signs a new learner up from 127.0.0.1, and with Redis the servers of one
        # run share the per-address count: past 10 a minute the sign-up page would refuse them. The
        # sign-in limits have tests of their own (accounts/tests).
        "THROTTLE_RATE_AUTH": "1000/min",
    }
    env.update(extra)
    return env


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{Path(process.stdout.name).read_text()}")
        try:
            with urlopen(f"{url}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"daphne did not answer on {url}")


@contextlib.contextmanager
def daphne_running(database_url: str, log_path: Path, **extra_env):
    """daphne serving the app on a free port with `extra_env` on top of the test env; yields its URL."""
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "config.server", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=_server_env(database_url, **extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(url, process)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def servers(server_database_url, tmp_path_factory):
    """{"offline": url, "failing": url}: two daphne processes on one migrated, seeded database."""
    setup = "import django; django.setup(); from django.core.management import call_command as c; "
    setup += "c('migrate', verbosity=0); c('seed_templates', verbosity=0)"
    subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=_server_env(server_database_url), check=True)
    closed_port = _free_port()
    flavours = {
        "offline": {},
        "failing": {
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": "not-a-key",
            "LLM_BASE_URL": f"http://127.0.0.1:{closed_port}/v1",
            "LLM_MAX_RETRIES": "0",
            "LLM_TIMEOUT_SECONDS": "2",
        },
    }
    log_dir = tmp_path_factory.mktemp("daphne")
    started = {}
    for name, extra in flavours.items():
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "config.server", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
            cwd=ROOT,
            env=_server_env(server_database_url, **extra),
            stdout=(log_dir / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        started[name] = (f"http://127.0.0.1:{port}", process)
    try:
        for url, process in started.values():
            _wait_until_up(url, process)
        yield {name: url for name, (url, _) in started.items()}
    finally:
        for _, process in started.values():
            process.terminate()
        for _, process in started.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _sign_up(page, base: str) -> str:
    email = f"learner-{uuid.uuid4().hex[:10]}@example.com"
    page.goto(f"{base}/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    # A new learner is welcomed, not welcomed back.
    expect(page.get_by_role("heading", name=re.compile(r"^Welcome, "))).to_be_visible()
    return email


def _start_japanese_session(page) -> str:
    form = page.locator("#start-form")
    form.get_by_label("Language", exact=True).select_option("japanese")
    form.get_by_label("Level", exact=True).select_option("beginner")
    form.locator(".scenario", has_text="Small talk with a new friend").get_by_role("radio").check()
    form.get_by_role("button", name="Start practising").click()
    expect(page.locator(".bubble-assistant")).to_have_count(1)
    expect(page.locator("#transcript[data-ready]")).to_have_count(1)
    return re.search(r"/sessions/([0-9a-f-]{36})/", page.url).group(1)


def _say(page, text: str, replies: int) -> None:
    box = page.get_by_label("Your message")
    box.fill(text)
    box.press("Enter")
    expect(page.locator('.bubble-assistant[data-state="complete"]')).to_have_count(replies, timeout=20_000)


def _api(page, path: str) -> str:
    origin = urlsplit(page.url)
    return f"{origin.scheme}://{origin.netloc}/api/v1/{path}"


def _transcript(page, session_id: str) -> list[dict]:
    response = page.request.get(_api(page, f"sessions/{session_id}"))
    assert response.ok, response.text()
    return response.json()["transcript"]


def _bubble_ids(page) -> list[str]:
    return page.locator("#transcript .bubble").evaluate_all("(els) => els.map((el) => el.dataset.id)")


def _select_text(page, bubble, phrase: str) -> None:
    """Select `phrase` inside a bubble's text, as a learner dragging over it would."""
    bubble.scroll_into_view_if_needed()
    bubble.locator(".bubble-text").evaluate(
        """(el, phrase) => {
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let node = walker.nextNode();
            while (node && !node.textContent.includes(phrase)) node = walker.nextNode();
            const start = node.textContent.indexOf(phrase);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + phrase.length);
            const selection = document.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        phrase,
    )


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where screenshots go: SCREENSHOT_DIR (docs/screenshots to refresh the README's), else a tmp dir."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_learner_practises_ten_turns_sees_mistakes_keeps_words_and_reviews(page, servers, screenshots):
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    session_id = _start_japanese_session(page)
    expect(page.get_by_text("Offline partner", exact=True)).to_be_visible()
    expect(page.get_by_text("not by an AI")).to_be_visible()

    # Shift+Enter is a new line, not a send.
    box = page.get_by_label("Your message")
    box.fill("こんにちは")
    box.press("Shift+Enter")
    assert box.input_value() == "こんにちは\n"
    expect(page.locator(".bubble-user")).to_have_count(0)

    for turn, text in enumerate(TURNS, start=2):
        _say(page, text, replies=turn)
    expect(page.locator(".bubble-user")).to_have_count(10)
    expect(page.locator(".bubble-assistant .tag-offline").first).to_be_visible()
    expect(page.locator("#mistakes .mistake")).to_have_count(0)

    _say(page, WRONG, replies=12)
    mistake = page.locator("#mistakes .mistake").first
    expect(mistake).to_be_visible()
    expect(mistake.locator(".chip")).to_have_text("Particle")
    expect(mistake.locator("del")).to_have_text("を")
    expect(mistake.locator("ins")).to_contain_text("わたしは")

    # Keep a word by selecting it in the partner's opening line.
    opening = page.locator(".bubble-assistant").first
    phrase = "こんにちは"
    _select_text(page, opening, phrase)
    add = page.get_by_role("button", name="Add to vocabulary")
    expect(add).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/vocabulary") and r.request.method == "POST") as added:
        add.click()
    assert added.value.status in (200, 201), added.value.text()
    item = added.value.json()
    assert item["source_message"] == opening.get_attribute("data-id")
    assert item["context_sentence"]
    entry = page.locator(f'#vocabulary .vocab[data-id="{item["id"]}"]')
    expect(entry.locator(".phrase")).to_have_text(phrase)

    with page.expect_response(lambda r: item["id"] in r.url and r.request.method == "PATCH") as patched:
        entry.get_by_label(re.compile("Mastered")).check()
    assert patched.value.ok, patched.value.text()
    assert page.request.get(_api(page, f"vocabulary/{item['id']}")).json()["mastery"] == "mastered"

    page.mouse.move(0, 0)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "chat.png"))

    # Reload: the same transcript, panel and mastery, straight from the server.
    before = _bubble_ids(page)
    page.reload()
    assert _bubble_ids(page) == before
    assert before == [m["id"] for m in _transcript(page, session_id)]
    expect(page.locator("#mistakes .mistake .chip")).to_have_text(["Particle"])
    expect(page.locator(f'#vocabulary .vocab[data-id="{item["id"]}"] .mastery-toggle')).to_be_checked()

    # On a phone the panel is a drawer behind the Notes button, and nothing scrolls sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    panel = page.locator("aside.side-panel")
    expect(panel).to_be_hidden()
    page.get_by_role("button", name=re.compile("^Notes")).click()
    expect(panel.locator("#mistakes .mistake")).to_be_visible()
    page.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name=re.compile("^Review"))).to_be_visible()
    expect(page.locator(".score-value")).to_be_visible()
    expect(page.locator(".transcript .bubble")).to_have_count(len(before))
    expect(page.locator(".mistake-list .chip")).to_have_text(["Particle"])
    page.screenshot(path=str(screenshots / "review.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("document.documentElement.scrollWidth <= 390")
    page.screenshot(path=str(screenshots / "review-phone.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # The words come due for review; rating one schedules it away.
    page.get_by_role("link", name="Vocabulary").click()
    cards = page.locator(".review-card")
    due = cards.count()
    assert due >= 1
    with page.expect_response(lambda r: r.url.endswith("/review") and r.request.method == "POST") as reviewed:
        cards.first.get_by_role("button", name="Good").click()
    assert reviewed.value.ok, reviewed.value.text()
    expect(cards).to_have_count(due - 1)
    expect(page.get_by_role("status").filter(has_text="Reviewed")).to_be_visible()


def test_reconnect_after_a_dropped_socket_loses_and_repeats_nothing(page, servers):
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    sockets, online = [], {"value": True}

    def route(ws):
        if not online["value"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/ws/$"), route)
    _sign_up(page, base)
    session_id = _start_japanese_session(page)
    _say(page, TURNS[0], replies=2)

    # The socket drops; meanwhile a turn arrives through another door (another tab, the REST API).
    online["value"] = False
    sockets[-1].close()
    expect(page.get_by_text("Reconnecting")).to_be_visible()
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    sent = page.request.post(
        _api(page, f"sessions/{session_id}/messages"),
        data={"message": TURNS[1], "client_id": "other-tab-1"},
        headers={"X-CSRFToken": token},
    )
    assert sent.status == 201, sent.text()
    online["value"] = True

    expect(page.locator(".bubble")).to_have_count(5, timeout=30_000)
    expect(page.get_by_text("Reconnecting")).to_be_hidden()
    expect(page.locator(".bubble-user").nth(1)).to_have_text(re.compile(TURNS[1]))
    _say(page, TURNS[2], replies=4)
    ids = _bubble_ids(page)
    assert len(ids) == len(set(ids)) == 7
    assert ids == [m["id"] for m in _transcript(page, session_id)]


def test_outage_shows_a_banner_and_retry_keeps_one_copy_of_the_turn(page, servers):
    base = servers["failing"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    session_id = _start_japanese_session(page)

    box = page.get_by_label("Your message")
    box.fill(TURNS[0])
    box.press("Enter")
    banner = page.get_by_role("alert").filter(has_text="unavailable")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("try again later")
    expect(page.locator(".bubble-failed")).to_have_count(1)

    # Retry resends the same client_id: the reply is asked for again, the turn is not stored twice.
    banner.get_by_role("button", name="Retry").click()
    expect(page.locator(".bubble-failed")).to_have_count(2, timeout=30_000)
    expect(banner).to_be_visible()
    expect(page.locator(".bubble-user")).to_have_count(1)

    page.reload()
    expect(banner).to_be_visible()
    expect(page.locator(".bubble-failed")).to_have_count(2)
    expect(page.locator(".bubble-user")).to_have_count(1)
    expect(page.locator(".bubble-user .bubble-text")).to_have_text(TURNS[0])
    users = [m for m in _transcript(page, session_id) if m["role"] == "user"]
    assert [m["content"] for m in users] == [TURNS[0]]


def _offline(context) -> list[str]:
    """Aborts every request that would leave the machine, as without internet; returns their URLs."""
    blocked = []

    def route(route):
        if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    return blocked


def test_api_docs_list_the_operations_without_internet(page, servers):
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    blocked = _offline(page.context)

    page.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-post .opblock-summary-path").filter(has_text="/api/v1/auth/login/")).to_be_visible()
    assert page.locator(".opblock").count() >= 30

    page.goto(f"{base}/api/redoc/")
    # ReDoc lays out the whole schema at once: slow on a busy machine.
    expect(page.locator("[data-section-id^='tag/']").first).to_be_attached(timeout=60_000)
    expect(page.get_by_role("heading", name="Parley API")).to_be_visible()
    expect(page.get_by_text("/api/v1/auth/login/").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert blocked == []


def test_every_page_has_a_title_an_icon_and_no_missing_file(page, servers):
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append((response.status, response.url)))
    _sign_up(page, base)
    session_id = _start_japanese_session(page)

    titles = {}
    for path in ["/", "/messages/", "/history/", "/vocabulary/", "/trends/", "/profile/", f"/sessions/{session_id}/"]:
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        titles[path] = page.title()
    icon = page.request.get(base + page.locator('link[rel="icon"]').get_attribute("href"))
    legacy_icon = page.request.get(f"{base}/favicon.ico")

    assert titles["/"] == "Dashboard · Parley"
    assert all(title.endswith(" · Parley") for title in titles.values())
    assert len(set(titles.values())) == len(titles), titles
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    assert legacy_icon.ok and legacy_icon.url.endswith("/static/favicon.svg")
    assert missing == []


def _practise_and_end(page, turns: list[str]) -> str:
    page.get_by_role("link", name="Dashboard").click()
    session_id = _start_japanese_session(page)
    for count, text in enumerate(turns, start=2):
        _say(page, text, replies=count)
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", name=re.compile("^Review"))).to_be_visible()
    return session_id


def test_language_review_attempts_side_by_side_review_queue_and_history(page, servers, screenshots):
    base = servers["offline"]
    page.context.set_default_timeout(20_000)
    _sign_up(page, base)
    turns = [TURNS[1], WRONG, "きのう えいがを みた", TURNS[3]]
    first = _practise_and_end(page, turns)

    # The language rubric, each score with the learner's own words, and no interview advice.
    expect(page.get_by_role("heading", name="Language", exact=True)).to_be_visible()
    levels = page.locator('.level-list[data-rubric="language"] > li')
    expect(levels).to_have_count(5)
    expect(levels.filter(has_text="Accuracy").locator(".evidence q").first).to_have_text(WRONG)
    body = page.locator("main").inner_text()
    assert not re.search(r"STAR|[Ii]nterview|Clarity|Relevance|Confidence", body)
    page.screenshot(path=str(screenshots / "review-language.png"), full_page=True)

    # Replaying the scenario sets this attempt beside the last.
    second = _practise_and_end(page, [TURNS[1], TURNS[2], TURNS[3], TURNS[5]])
    attempts = page.locator("#attempts")
    expect(attempts.get_by_role("heading", name="This attempt and the last")).to_be_visible()
    expect(attempts.get_by_role("link", name="Last attempt")).to_have_attribute("href", f"/sessions/{first}/review/")
    expect(attempts.locator("tbody tr").first.locator("td")).to_have_count(2)
    expect(attempts).to_contain_text("particle: 1")
    attempts.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "review-attempts.png"), full_page=True)

    # The mistake is in the review queue at once, its error marked; rating it schedules it away.
    page.get_by_role("link", name="Review", exact=True).click()
    card = page.locator(".review-card-mistake").first
    expect(card.locator("mark")).to_have_text("を")
    card.locator("summary").click()
    expect(card.locator(".card-back")).to_contain_text("わたしは")
    page.screenshot(path=str(screenshots / "review-queue.png"), full_page=True)
    card_id = card.get_attribute("data-id")
    card.get_by_role("button", name="Good").click()
    expect(page.locator(f'.review-card[data-id="{card_id}"]')).to_have_count(0)

    # History: every row scored; filters and transcript search narrow it.
    page.get_by_role("link", name="History").click()
    rows = page.locator(".session-row")
    expect(rows).to_have_count(2)
    expect(rows.locator(".score-value")).to_have_count(2)
    page.get_by_label("Search the transcripts").fill("えいがを みた")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_attribute("href", f"/sessions/{first}/review/")
    page.get_by_label("Mode").select_option("interview")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No session matches these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(2)
    assert second in rows.first.get_by_role("link").get_attribute("href")
    page.screenshot(path=str(screenshots / "history.png"), full_page=True)
