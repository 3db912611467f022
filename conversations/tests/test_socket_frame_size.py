"""Frame size on a real daphne started as production starts it (config.server), with a real client.

docs/websocket.md: a frame over 64,000 characters that the server reads (up to 256,000 bytes) is
answered with `invalid` and the socket stays open; a longer one closes the socket with 1009.
"""

import asyncio
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from config.server import MAX_FRAME_BYTES, MAX_FRAME_CHARS
from config.tests.test_browser import ROOT, _server_env, daphne_running, server_database_url  # noqa: F401

pytestmark = pytest.mark.timeout(120)

SETUP = """
import django; django.setup()
from django.core.management import call_command
from accounts.services import tokens_for
from accounts.tests.factories import UserFactory
call_command("migrate", verbosity=0)
print(tokens_for(user=UserFactory())["token"])
"""


@pytest.fixture(scope="module")
def served(server_database_url, tmp_path_factory):  # noqa: F811
    done = subprocess.run(
        [sys.executable, "-c", SETUP], cwd=ROOT, env=_server_env(server_database_url), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    with daphne_running(server_database_url, tmp_path_factory.mktemp("frames") / "daphne.log") as url:
        yield url, token


def _frame(size: int) -> str:
    """A JSON text frame of exactly `size` characters, all ASCII (so as many bytes)."""
    head = '{"type": "padding", "padding": "'
    return head + "x" * (size - len(head) - 2) + '"}'


def _exchange(served, frame: str) -> tuple[list, int | None]:
    """Send `frame`, then a ping: what came back until the pong (or the close), and the close code."""
    url, token = served

    async def talk():
        async with (
            aiohttp.ClientSession() as http,
            http.ws_connect(f"{url.replace('http', 'ws')}/ws/?token={token}", origin=url) as ws,
        ):
            await ws.send_str(frame)
            await ws.send_str(json.dumps({"type": "ping"}))
            frames = []
            while True:
                message = await ws.receive(timeout=20)
                if message.type != aiohttp.WSMsgType.TEXT:
                    return frames, ws.close_code
                frames.append(json.loads(message.data))
                if frames[-1]["type"] == "pong":
                    return frames, None

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, talk()).result()


@pytest.mark.parametrize("size", [MAX_FRAME_CHARS + 1, MAX_FRAME_BYTES])
def test_a_frame_over_the_limit_that_the_server_reads_is_invalid_and_the_socket_stays_open(served, size):
    frames, closed = _exchange(served, _frame(size))

    assert closed is None
    assert [(f["type"], f.get("code")) for f in frames] == [("error", "invalid"), ("pong", None)]
    assert "64,000 characters" in frames[0]["message"]


def test_four_byte_characters_up_to_the_limit_are_read(served):
    frame = json.dumps({"type": "padding", "padding": "😀" * (MAX_FRAME_CHARS - 40)}, ensure_ascii=False)

    frames, closed = _exchange(served, frame)

    assert len(frame.encode()) <= MAX_FRAME_BYTES
    assert closed is None
    assert [(f["type"], f.get("code")) for f in frames] == [("error", "unknown_type"), ("pong", None)]


@pytest.mark.parametrize("size", [MAX_FRAME_BYTES + 1, 2 * 1024 * 1024])
def test_a_frame_the_server_does_not_read_closes_the_socket_with_1009(served, size):
    frames, closed = _exchange(served, _frame(size))

    assert frames == []
    assert closed == 1009
