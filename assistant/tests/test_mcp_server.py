"""The MCP server with the SDK's own clients: streamable HTTP under a live daphne, and stdio.

Both servers run in subprocesses on a migrated temporary SQLite database, so these tests need no
test-database access of their own. The clients run on an event loop in a thread of their own: a
browser test earlier in the session leaves Playwright's loop running in the main thread.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from assistant.tools import TOOLS

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)

SETUP = """
import json
from accounts.services import tokens_for
from accounts.tests.factories import UserFactory
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("seed_templates", verbosity=0)
users = [UserFactory(email=f"{name}@example.com") for name in ("ann", "bob")]
print(json.dumps({u.email: tokens_for(user=u)["token"] for u in users}))
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _serve(tmp_path_factory, **settings: str):
    """A migrated database with two learners, and daphne serving config.asgi on a free port."""
    database = tmp_path_factory.mktemp("mcp") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "LLM_PROVIDER": "offline", **settings}
    env.pop("REDIS_URL", None)
    port = _free_port()
    # daphne boots while the database is migrated: it touches the database only once asked.
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    tokens = json.loads(_manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "daphne did not start"
            time.sleep(0.1)
    return server, {"url": f"http://127.0.0.1:{port}/mcp/", "tokens": tokens, "env": env}


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server, served = _serve(tmp_path_factory)
    yield served
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="module")
def live_limited(tmp_path_factory):
    """The same, with a per-user API limit of 5 calls a minute."""
    server, served = _serve(tmp_path_factory, THROTTLE_RATE_USER="5/min")
    yield served
    server.terminate()
    server.wait(10)


async def _session_call_async(url: str, token: str | None, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    """Open a client session, list the tools, make each call; returns (tool names, results)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=20) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        listed = await session.list_tools()
        results = [await session.call_tool(name, arguments) for name, arguments in calls]
    return [t.name for t in listed.tools], results


def _session_call(url: str, token: str | None, calls: list[tuple[str, dict]]) -> tuple[list, list]:
    return _run(_session_call_async(url, token, calls))


def _data(result) -> dict:
    assert not result.is_error, result.content
    return json.loads(result.content[0].text)


def test_every_tool_is_listed_and_callable_over_http(live):
    ann = live["tokens"]["ann@example.com"]

    names, results = _session_call(
        live["url"],
        ann,
        [
            ("add_vocabulary", {"phrase": "さくら", "language": "japanese", "translation": "cherry blossom"}),
            ("list_vocabulary", {}),
            ("search_vocabulary", {"query": "cherry"}),
            ("list_mistakes", {"type": "particle"}),
            ("list_templates", {"language": "japanese", "level": "beginner"}),
            ("start_practice", {"language": "japanese", "level": "beginner"}),
            ("progress_summary", {}),
            ("suggest_practice", {}),
        ],
    )

    assert sorted(names) == sorted(TOOLS)
    added, listed, searched, mistakes, templates, started, progress, suggestion = map(_data, results)
    assert added["created"] is True
    assert [i["phrase"] for i in listed["items"]] == ["さくら"]
    assert searched["count"] == 1
    assert mistakes["items"] == []
    assert templates["count"] >= 1
    assert started["session_id"] and started["language"] == "japanese"
    assert progress["sessions"]["in_progress"] == 1
    assert progress["vocabulary_by_mastery"] == {"new": 1}
    assert suggestion["template"]["language"] == "japanese"


def test_bad_arguments_are_a_tool_error_not_a_crash(live):
    _, (bad_limit, unknown_template) = _session_call(
        live["url"],
        live["tokens"]["ann@example.com"],
        [("list_vocabulary", {"limit": 0}), ("start_practice", {"template": "no-such-template"})],
    )

    assert bad_limit.is_error
    assert unknown_template.is_error
    assert "template" in unknown_template.content[0].text.lower()


def test_one_learner_cannot_see_anothers_data(live):
    secret = ("add_vocabulary", {"phrase": "ひみつ", "language": "japanese"})
    _session_call(live["url"], live["tokens"]["ann@example.com"], [secret])

    _, (listed, searched) = _session_call(
        live["url"],
        live["tokens"]["bob@example.com"],
        [("list_vocabulary", {}), ("search_vocabulary", {"query": "ひみつ"})],
    )

    assert _data(listed) == {"count": 0, "items": []}
    assert _data(searched)["count"] == 0


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_a_request_without_a_valid_token_is_401(live, token):
    headers = {"Accept": "application/json, text/event-stream"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with httpx2.Client(timeout=10) as http:
        response = http.post(live["url"], json=body, headers=headers)

    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("origin", "status"),
    [("{site}", 200), (None, 200), ("http://127.0.0.1:1", 403), ("https://{host}", 403), ("http://evil.example", 403)],
)
def test_a_browsers_origin_must_be_the_sites_own_in_scheme_host_and_port(live, origin, status):
    site = live["url"].removesuffix("/mcp/")
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {live['tokens']['ann@example.com']}",
    }
    if origin:
        headers["Origin"] = origin.format(site=site, host=site.removeprefix("http://"))
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    with httpx2.Client(timeout=10) as http:
        response = http.post(live["url"], json=body, headers=headers)

    assert response.status_code == status


def test_the_site_still_answers_beside_the_mcp_mount(live):
    with httpx2.Client(timeout=10) as http:
        response = http.get(live["url"].replace("/mcp/", "/healthz"))

    assert response.status_code in (200, 503)
    assert "status" in response.json()


def test_stdio_serves_the_tools_as_the_named_learner(live):
    params = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp_server", "--user", "bob@example.com"],
        cwd=str(ROOT),
        env={k: v for k, v in live["env"].items() if k in ("DATABASE_URL", "LLM_PROVIDER", "DJANGO_SETTINGS_MODULE")},
    )

    async def session_run():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            return (
                await session.list_tools(),
                await session.call_tool("add_vocabulary", {"phrase": "やま", "language": "japanese"}),
                await session.call_tool("list_vocabulary", {}),
            )

    listed, added, mine = _run(session_run())

    assert sorted(t.name for t in listed.tools) == sorted(TOOLS)
    assert _data(added)["created"] is True
    assert [i["phrase"] for i in _data(mine)["items"]] == ["やま"]


def test_tool_calls_count_against_the_per_user_api_limit_shared_with_rest(live_limited):
    token = live_limited["tokens"]["ann@example.com"]

    _, results = _session_call(live_limited["url"], token, [("list_vocabulary", {})] * 6)
    with httpx2.Client(timeout=10, headers={"Authorization": f"Bearer {token}"}) as http:
        rest = http.get(live_limited["url"].replace("/mcp/", "/api/v1/vocabulary"))
    _, other_user = _session_call(
        live_limited["url"], live_limited["tokens"]["bob@example.com"], [("list_vocabulary", {})]
    )

    assert [r.is_error for r in results] == [False] * 5 + [True]
    assert "Too many requests" in results[-1].content[0].text
    assert rest.status_code == 429
    assert not other_user[0].is_error
