"""What daphne as production runs it (config.server) keeps for each open socket, and the queue that
carries a socket's events to its consumer."""

import asyncio
import contextlib
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import aiohttp
import pytest

from config.server import SocketInput
from config.tests.test_browser import ROOT, _free_port

pytestmark = pytest.mark.timeout(120)

SOCKETS = 20
# daphne reaps a finished request's application once a second: a census waits for the last one's.
SETTLE_SECONDS = 2


@contextlib.contextmanager
def census_server(log_path):
    """config.server serving config/tests/socket_census.py; yields its URL."""
    port = _free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "config.server",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "config.tests.socket_census:application",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                except OSError:
                    assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def run(test):
    """Run a test coroutine on a loop in a thread of its own (as config/tests/test_channel_layer.py
    does): a browser test earlier in the session leaves Playwright's loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, test).result()


async def _census_around_sockets(url: str) -> tuple[dict, dict]:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:

        async def census() -> dict:
            await asyncio.sleep(SETTLE_SECONDS)
            async with http.get(url) as response:
                return await response.json()

        before = await census()
        sockets = [await http.ws_connect(url.replace("http", "ws"), origin=url) for _ in range(SOCKETS)]
        with_sockets = await census()
        for socket in sockets:
            await socket.close()
        return before, with_sockets


def test_an_open_socket_keeps_neither_the_upgrade_request_nor_an_asyncio_queue(tmp_path):
    """The HTTP channel that read the upgrade let go of once the socket took its connection, and a
    SocketInput (not asyncio.Queue's three deques and event) as the socket's queue."""
    with census_server(tmp_path / "daphne.log") as url:
        before, with_sockets = run(_census_around_sockets(url))

    assert with_sockets == before


def test_socket_input_hands_events_over_in_order():
    async def test():
        events = SocketInput()
        events.put_nowait({"type": "websocket.connect"})
        events.put_nowait({"type": "websocket.receive", "text": "1"})
        return [await events.get(), await events.get()]

    assert run(test()) == [{"type": "websocket.connect"}, {"type": "websocket.receive", "text": "1"}]


def test_socket_input_wakes_its_waiting_reader():
    async def test():
        events = SocketInput()
        reader = asyncio.create_task(events.get())
        await asyncio.sleep(0)
        events.put_nowait({"type": "websocket.disconnect", "code": 1000})
        return await reader

    assert run(test()) == {"type": "websocket.disconnect", "code": 1000}


def test_an_event_put_as_the_reader_is_cancelled_waits_for_the_next_read():
    async def test():
        events = SocketInput()
        reader = asyncio.create_task(events.get())
        await asyncio.sleep(0)
        events.put_nowait({"type": "websocket.receive", "text": "kept"})
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        return await events.get()

    assert run(test()) == {"type": "websocket.receive", "text": "kept"}
