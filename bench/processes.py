"""What the benches share to measure a daphne beside them: a free port, the server started and
waited for, the CPU time it used."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def page_origin(url: str) -> str:
    """The Origin a page served by the server at `url` (ws:// or http://) sends: same scheme family, host and port."""
    parts = urlsplit(url)
    return f"{'https' if parts.scheme in ('https', 'wss') else 'http'}://{parts.netloc}"


def daphne_start(
    port: int, env: dict, *, app: str = "config.asgi:application", log=None, python: str = "", **popen
) -> subprocess.Popen:
    """daphne as Parley runs it (config.server) serving `app` on 127.0.0.1:port, our environment plus
    `env`; its output to `log` (an open file) or nowhere. `python`: the interpreter to run it with
    (default: this one)."""
    return subprocess.Popen(
        [python or sys.executable, "-m", "config.server", "-b", "127.0.0.1", "-p", str(port), app],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        **popen,
    )


def port_wait(port: int, limit: float = 60.0) -> None:
    """Returns once something accepts connections on 127.0.0.1:port; TimeoutError after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {limit:.0f} s") from None
            time.sleep(0.05)


def healthz_wait(port: int, limit: float = 60.0) -> None:
    """Returns once the app on 127.0.0.1:port answers /healthz with 200; TimeoutError after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"127.0.0.1:{port}/healthz is not healthy after {limit:.0f} s")
        time.sleep(0.5)


def cpu_seconds(*pids: int) -> float:
    """User + system CPU time these processes used so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def connections_to(pid: int, port: int) -> int:
    """How many TCP connections the process holds to `port` (any address), from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    count = 0
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] in inodes:
                    count += 1
    return count
