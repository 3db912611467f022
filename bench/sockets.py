"""What sockets cost: CPU and memory of ONE daphne process holding idle and active sockets.

Run from the repository root (PostgreSQL and Redis on their local defaults):

    python bench/sockets.py [--idle 1000] [--active 200] [--every 5] [--duration 20] [--knee 40,60,80]

1. Idle: `--idle` authenticated sockets open and silent; the server's CPU (utime + stime from
   /proc/<pid>/stat over `--idle-duration` seconds, as % of one core) and RSS (/proc/<pid>/status).
   Goal: under 5% of one core and under 150 MiB for 1,000 sockets. Production installs only
   requirements.txt; to measure that process, run daphne from such a venv:

       python3 -m venv /tmp/parley-runtime && /tmp/parley-runtime/bin/pip install -r requirements.txt
       python bench/sockets.py --server-python /tmp/parley-runtime/bin/python
2. Practice turns: `--active` of those users each send a `user_message` in their own practice
   session every `--every` seconds (the offline partner answers, streamed, then turn analysis);
   a turn sent while the previous reply is still being written is refused (`turn_in_progress`).
   Printed: turns acked, answered and refused, turn -> reply latency (p50/p99), and the server's
   CPU per turn: CPU seconds from the first turn until the last reply, over the turns answered.
   Goal at 200 learners every 5 s: every acked turn answered, 0 refused, p99 under 500 ms, and at
   most 8 ms of CPU a turn.
3. The knee: the same learners at each rate of `--knee` (turns a second in total, ascending, each
   for `--knee-duration` s); prints the highest rate whose turns were all answered with p99 under
   1 s. It stops at the first rate that misses.
4. With `--pings`, a phase of pings at the same pace (frame -> pong latency).

A bad run is a figure, never a crash: 0 replies, or too few for a percentile, print as such. The
daphne process runs the production settings (DEBUG=0, PostgreSQL, Redis channel layer) on a
database and Redis prefix of its own, so other users of this machine's services are untouched.
"""

import argparse
import asyncio
import contextlib
import math
import os
import random
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import (  # noqa: E402
    connections_to,
    cpu_seconds,
    daphne_start,
    free_port,
    healthz_wait,
    page_origin,
)

SENTENCES = ["きのう ともだちと えいがを みました。", "わたしは まいにち にほんごを べんきょうします。"]


def server_env(database: str, redis_url: str) -> dict:
    return {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": f"bench-sockets-{os.getpid()}",
        "CACHE_KEY_PREFIX": f"bench-sockets-{os.getpid()}",
        "DEBUG": "0",
        "SECRET_KEY": "bench-sockets-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LLM_PROVIDER": "offline",
        "LLM_USER_RATE": "1000000",
        "LLM_DAILY_TOKEN_BUDGET": "1000000000",
        "LOG_LEVEL": "WARNING",
    }


def database_create(name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def users_prepare(count: int, active: int) -> tuple[list[str], list[str]]:
    """Access tokens of `count` users, and a practice session id for each of the first `active`."""
    import django
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_templates", verbosity=0)
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from conversations.models import PracticeSession
    from conversations.services.sessions import session_start

    password = make_password("bench-password-1")
    emails = [f"bench-socket-{n}@example.com" for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(email=e, username=e.split("@")[0], password=password) for e in emails if e not in existing]
    )
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    tokens = [str(AccessToken.for_user(users[e])) for e in emails]
    sessions = []
    for email in emails[:active]:
        user = users[email]
        session = PracticeSession.objects.filter(conversation__created_by=user, status="in_progress").first()
        if session is None:
            session = session_start(user=user, mode="language", language="japanese", level="beginner")
        sessions.append(str(session.id))
    return tokens, sessions


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Client:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, user: int):
        self.ws = ws
        self.user = user  # the index of its user's token (and practice session, for the active ones)
        self.waiting: dict[str, float] = {}
        self.latencies: list[float] = []  # frame sent -> pong or ack
        self.reply_latencies: list[float] = []  # acked turn sent -> its ai.message
        self.errors: list[str] = []
        self.acked_turns = 0
        self.reply_from: float | None = None
        self.closed_code: int | None = None
        self.reader = asyncio.create_task(self.read())

    def reset(self) -> None:
        self.latencies.clear()
        self.reply_latencies.clear()
        self.errors.clear()
        self.acked_turns = 0
        self.reply_from = None

    async def read(self) -> None:
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            frame = msg.json()
            kind = frame.get("type")
            key = "ping" if kind == "pong" else frame.get("client_id") if kind == "ack" else None
            if key in self.waiting:
                sent = self.waiting.pop(key)
                self.latencies.append(time.perf_counter() - sent)
                if kind == "ack":
                    self.acked_turns += 1
                    self.reply_from = sent
            elif kind == "ai.message" and self.reply_from is not None:
                self.reply_latencies.append(time.perf_counter() - self.reply_from)
                self.reply_from = None
            elif kind == "error":
                self.errors.append(frame.get("code", "?"))
        self.closed_code = self.ws.close_code

    async def send(self, frame: dict) -> None:
        if self.ws.closed:
            return
        # Closed by the server meanwhile: counted through closed_code at the end.
        with contextlib.suppress(aiohttp.ClientConnectionResetError):
            await self.ws.send_json(frame)

    async def ping(self) -> None:
        self.waiting["ping"] = time.perf_counter()
        await self.send({"type": "ping"})

    async def turn(self, session_id: str, n: int) -> None:
        client_id = f"{session_id}-{time.time_ns()}-{n}"
        self.waiting[client_id] = time.perf_counter()
        await self.send(
            {"type": "user_message", "session_id": session_id, "content": SENTENCES[n % 2], "client_id": client_id}
        )


async def open_sockets(http: aiohttp.ClientSession, url: str, tokens: list[str]) -> list[Client]:
    """The sockets that opened; those refused or dropped are counted and printed, not raised."""
    gate = asyncio.Semaphore(50)
    failures = []

    async def one(user: int, token: str) -> Client | None:
        async with gate:
            try:
                ws = await http.ws_connect(f"{url}?token={token}", origin=page_origin(url), max_msg_size=0)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                failures.append(exc)
                return None
            return Client(ws, user)

    opened = [client for client in await asyncio.gather(*(one(*pair) for pair in enumerate(tokens))) if client]
    if failures:
        print(f"{len(failures)} of {len(tokens)} sockets did not open (first: {failures[0]!r})")
    return opened


async def measure(pid: int, seconds: float) -> tuple[float, float]:
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu = (cpu_seconds(pid) - start_cpu) / (time.perf_counter() - start) * 100
    return cpu, rss_mib(pid)


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile: defined for a single value, None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency_line(values: list[float]) -> str:
    if not values:
        return "no answers"
    ms = [v * 1000 for v in values]
    return (
        f"{len(ms)} answers, p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms"
    )


@dataclass
class TurnRun:
    rate: float
    learners: int
    acked: int
    answered: int
    refused: int
    errors: list[str]
    latencies: list[float]
    cpu_seconds: float
    seconds: float

    @property
    def p99(self) -> float | None:
        return percentile(self.latencies, 99)

    def passed(self, p99_limit: float) -> bool:
        return self.acked > 0 and self.answered == self.acked and self.refused == 0 and self.p99 < p99_limit

    def report(self) -> str:
        per_turn = f"{self.cpu_seconds * 1000 / self.answered:.1f} ms" if self.answered else "n/a (no turn answered)"
        kinds = sorted(set(self.errors))
        return "\n".join(
            [
                f"{self.learners} learners, {self.rate:g} turns/s: "
                f"answered {self.answered} of {self.acked} acked turns, "
                f"turn_in_progress {self.refused}, other errors {len(self.errors) - self.refused} {kinds}",
                f"  turn -> reply: {latency_line(self.latencies)}",
                f"  server CPU {self.cpu_seconds / self.seconds * 100:.1f}% of one core; "
                f"{per_turn} of CPU a turn answered",
            ]
        )


async def turn_phase(pid: int, clients: list[Client], sessions: list[str], every: float, duration: float) -> TurnRun:
    """Each client sends a turn every `every` s for `duration` s; then up to 10 s for the last replies."""
    for c in clients:
        c.reset()
    stop = asyncio.Event()
    sent = 0

    async def user(client: Client) -> None:
        nonlocal sent
        await asyncio.sleep(random.uniform(0, every))
        turn = 0
        while not stop.is_set():
            await client.turn(sessions[client.user], turn)
            sent += 1
            turn += 1
            await asyncio.sleep(every)

    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    tasks = [asyncio.create_task(user(c)) for c in clients]
    await asyncio.sleep(duration)
    stop.set()
    await asyncio.gather(*tasks)
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        outstanding = sum(1 for c in clients if c.reply_from is not None or any(k != "ping" for k in c.waiting))
        if not outstanding:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # the analysis after the last reply
    for c in clients:
        c.waiting.clear()
    errors = [e for c in clients for e in c.errors]
    return TurnRun(
        rate=len(clients) / every,
        learners=len(clients),
        acked=sum(c.acked_turns for c in clients),
        answered=sum(len(c.reply_latencies) for c in clients),
        refused=errors.count("turn_in_progress"),
        errors=errors,
        latencies=[v for c in clients for v in c.reply_latencies],
        cpu_seconds=cpu_seconds(pid) - start_cpu,
        seconds=time.perf_counter() - start,
    )


async def ping_phase(pid: int, clients: list[Client], every: float, duration: float) -> None:
    for c in clients:
        c.reset()
    stop = asyncio.Event()

    async def user(client: Client) -> None:
        await asyncio.sleep(random.uniform(0, every))
        while not stop.is_set():
            await client.ping()
            await asyncio.sleep(every)

    tasks = [asyncio.create_task(user(c)) for c in clients]
    cpu, rss = await measure(pid, duration)
    stop.set()
    await asyncio.gather(*tasks)
    await asyncio.sleep(1)
    print(f"{len(clients)} users, a ping every {every:g} s: CPU {cpu:.1f}% of one core, RSS {rss:.0f} MiB")
    print(f"  ping -> pong: {latency_line([v for c in clients for v in c.latencies])}")


def main(args) -> None:
    env = server_env(args.database, args.redis_url)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(args.database)
    tokens, sessions = users_prepare(max(args.idle, args.active), args.active)
    asyncio.run(run(args, env, tokens, sessions))


def raise_descriptor_limit() -> None:
    # Every socket is a descriptor; the usual soft limit of 1,024 would cap the test, not daphne.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def knee_search(pid: int, clients: list[Client], sessions: list[str], rates: list[float], duration: float):
    best = None
    for rate in rates:
        result = await turn_phase(pid, clients, sessions, len(clients) / rate, duration)
        print(result.report())
        if not result.passed(1.0):
            break
        best = rate
    if best is None:
        print(f"knee: no rate tried ({', '.join(f'{r:g}' for r in rates)} turns/s) kept p99 under 1 s")
    else:
        print(f"knee: {best:g} turns/s on one process with every turn answered and p99 turn -> reply under 1 s")
        print(f"  = {best * 5:g} learners at a turn every 5 s")


async def run(args, env: dict, tokens: list[str], sessions: list[str]) -> None:
    port = free_port()
    log_path = ROOT / "bench" / "data" / "sockets-daphne.log"
    log = open(log_path, "w")  # noqa: SIM115 (lives as long as daphne)
    daphne = daphne_start(port, env, log=log, python=args.server_python, preexec_fn=raise_descriptor_limit)
    try:
        healthz_wait(port)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            baseline = rss_mib(daphne.pid)
            print(f"daphne pid {daphne.pid}: RSS {baseline:.0f} MiB before any socket")
            started = time.perf_counter()
            clients = await open_sockets(http, f"http://127.0.0.1:{port}/ws/", tokens)
            print(f"{len(clients)} sockets opened in {time.perf_counter() - started:.1f} s")
            await asyncio.sleep(5)
            cpu, rss = await measure(daphne.pid, args.idle_duration)
            print(
                f"{len(clients)} idle sockets over {args.idle_duration:g} s: "
                f"CPU {cpu:.2f}% of one core, RSS {rss:.0f} MiB"
            )
            print(f"  {(rss - baseline) * 1024 / max(len(clients), 1):.1f} KiB of RSS a socket over the baseline")

            active = [c for c in clients if c.user < args.active]
            if args.pings:
                await ping_phase(daphne.pid, active, args.every, args.duration)
            result = await turn_phase(daphne.pid, active, sessions, args.every, args.duration)
            print(result.report())
            print(
                f"  connections held by the process: PostgreSQL {connections_to(daphne.pid, 5432)}, "
                f"Redis {connections_to(daphne.pid, 6379)}"
            )
            verdict = "met" if result.passed(0.5) else "MISSED"
            print(f"  goal (all answered, 0 turn_in_progress, p99 < 500 ms): {verdict}")
            if args.knee:
                await knee_search(
                    daphne.pid, active, sessions, [float(r) for r in args.knee.split(",")], args.knee_duration
                )

            for c in clients:
                await c.ping()
            await asyncio.sleep(3)
            deaf = sum(1 for c in clients if "ping" in c.waiting)
            closed = [c.closed_code for c in clients if c.ws.closed]
            print(f"still answering at the end: {len(clients) - deaf}/{len(clients)}; closed by the server: {closed}")
            for c in clients:
                await c.ws.close()
    finally:
        daphne.terminate()
        try:
            daphne.wait(10)
        except subprocess.TimeoutExpired:
            daphne.kill()
            daphne.wait()
        log.close()
    print(f"tracebacks in the server log: {log_path.read_text().count('Traceback')}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--active", type=int, default=200)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the 200-learner phase")
    # At least one presence heartbeat period (30 s), or the idle figure misses the heartbeats.
    parser.add_argument("--idle-duration", type=float, default=30.0)
    parser.add_argument("--knee", default="20,30,40,60,80,100", help="turns/s to try, ascending ('' skips)")
    parser.add_argument("--knee-duration", type=float, default=10.0)
    parser.add_argument("--pings", action="store_true", help="also a phase of pings")
    # The development venv (`make test`) also holds pytest's and schemathesis' packages, which
    # libraries import when they find them (DRF: requests and pygments; autobahn: click), about
    # 5 MiB that a production process (`make serve`, requirements.txt only) does not carry.
    parser.add_argument(
        "--server-python",
        default="",
        help="the Python daphne runs under (default: this one); a venv with requirements.txt only is production's",
    )
    parser.add_argument("--database", default="parley_bench_sockets")
    # redis-py 8 times reads out after 5 s, exactly channels_redis' BZPOPMIN wait: without a longer
    # socket_timeout one socket per process is dropped with 1011 every ~5 s (docs/deploy.md).
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3?socket_timeout=15")
    raise_descriptor_limit()
    main(parser.parse_args())
