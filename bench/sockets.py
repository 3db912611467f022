"""What sockets cost: CPU and memory of ONE daphne process holding idle and active sockets.

Run from the repository root (PostgreSQL and Redis on their local defaults):

    python bench/sockets.py [--idle 1000] [--active 200] [--every 5] [--window 30]

1. Idle: `--idle` authenticated sockets open and silent; the server's CPU (utime + stime from
   /proc/<pid>/stat over `--window` seconds, as % of one core) and RSS (/proc/<pid>/status).
   Goal: under 5% of one core and under 150 MiB for 1,000 sockets.
2. Active, pings: `--active` of those users each send a `ping` every `--every` seconds.
3. Active, practice turns: the same users each send a `user_message` in their own practice
   session every `--every` seconds (the offline partner answers, streamed, then turn analysis);
   a turn sent while the previous reply is still being written is refused (`turn_in_progress`).

Each phase prints CPU, RSS and the client-side latency (frame sent -> pong / ack received); the
turn phase also how many acked turns got their reply and the time from turn to reply. The
daphne process runs the production settings (DEBUG=0, PostgreSQL, Redis channel layer) on a
database and Redis prefix of its own, so other users of this machine's services are untouched.
"""

import argparse
import asyncio
import contextlib
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import cpu_seconds, daphne_start, free_port, healthz_wait  # noqa: E402

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
    def __init__(self, ws: aiohttp.ClientWebSocketResponse):
        self.ws = ws
        self.waiting: dict[str, float] = {}
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.replies = 0
        self.acked_turns = 0
        self.reply_latencies: list[float] = []  # turn sent -> its ai.message
        self.reply_from: float | None = None
        self.closed_code: int | None = None
        self.reader = asyncio.create_task(self.read())

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
            elif kind == "ai.message":
                self.replies += 1
                if self.reply_from is not None:
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
    gate = asyncio.Semaphore(50)

    async def one(token: str) -> Client:
        async with gate:
            ws = await http.ws_connect(f"{url}?token={token}", origin="http://127.0.0.1", max_msg_size=0)
            return Client(ws)

    return await asyncio.gather(*(one(t) for t in tokens))


async def measure(pid: int, seconds: float) -> tuple[float, float]:
    start_cpu, start = cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(seconds)
    cpu = (cpu_seconds(pid) - start_cpu) / (time.perf_counter() - start) * 100
    return cpu, rss_mib(pid)


def latency_line(clients: list[Client], attribute: str = "latencies") -> str:
    values = sorted(v * 1000 for c in clients for v in getattr(c, attribute))
    if not values:
        return "no answers"
    q = statistics.quantiles(values, n=100)
    return f"{len(values)} answers, p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms, max {values[-1]:.1f} ms"


async def active_phase(pid, clients, sessions, every, window, kind) -> None:
    for c in clients:
        c.latencies.clear()
        c.errors.clear()
        c.reply_latencies.clear()
        c.replies = c.acked_turns = 0
    stop = asyncio.Event()

    async def user(n: int, client: Client) -> None:
        await asyncio.sleep(random.uniform(0, every))
        turn = 0
        while not stop.is_set():
            if kind == "ping":
                await client.ping()
            else:
                await client.turn(sessions[n], turn)
            turn += 1
            await asyncio.sleep(every)

    tasks = [asyncio.create_task(user(n, c)) for n, c in enumerate(clients)]
    await asyncio.sleep(every)  # every user is sending before the window opens
    cpu, rss = await measure(pid, window)
    stop.set()
    await asyncio.gather(*tasks)
    await asyncio.sleep(2)
    errors = [e for c in clients for e in c.errors]
    replies = sum(c.replies for c in clients)
    print(f"{len(clients)} active users, a {kind} every {every:g} s: CPU {cpu:.1f}% of one core, RSS {rss:.0f} MiB")
    print(f"  latency: {latency_line(clients)}; errors {len(errors)} {sorted(set(errors))}; replies {replies}")
    if kind == "turn":
        acked = sum(c.acked_turns for c in clients)
        turn_to_reply = latency_line(clients, "reply_latencies")
        print(f"  replies to {replies} of {acked} acked turns; turn -> reply: {turn_to_reply}")


def main(args) -> None:
    env = server_env(args.database, args.redis_url)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(args.database)
    tokens, sessions = users_prepare(args.idle, args.active)
    asyncio.run(run(args, env, tokens, sessions))


def raise_descriptor_limit() -> None:
    # Every socket is a descriptor; the usual soft limit of 1,024 would cap the test, not daphne.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def run(args, env: dict, tokens: list[str], sessions: list[str]) -> None:
    port = free_port()
    log = open(ROOT / "bench" / "data" / "sockets-daphne.log", "w")  # noqa: SIM115 (lives as long as daphne)
    daphne = daphne_start(port, env, log=log, preexec_fn=raise_descriptor_limit)
    try:
        healthz_wait(port)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            baseline = rss_mib(daphne.pid)
            print(f"daphne pid {daphne.pid}: RSS {baseline:.0f} MiB before any socket")
            started = time.perf_counter()
            clients = await open_sockets(http, f"http://127.0.0.1:{port}/ws/", tokens)
            print(f"{len(clients)} sockets opened in {time.perf_counter() - started:.1f} s")
            await asyncio.sleep(5)
            cpu, rss = await measure(daphne.pid, args.window)
            print(f"{len(clients)} idle sockets: CPU {cpu:.2f}% of one core, RSS {rss:.0f} MiB over {args.window:g} s")
            print(f"  {(rss - baseline) * 1024 / max(len(clients), 1):.1f} KiB of RSS a socket over the baseline")

            active = clients[: args.active]
            await active_phase(daphne.pid, active, sessions, args.every, args.window, "ping")
            await active_phase(daphne.pid, active, sessions, args.every, args.window, "turn")

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
        daphne.wait(10)
        log.close()
    tracebacks = (ROOT / "bench" / "data" / "sockets-daphne.log").read_text().count("Traceback")
    print(f"tracebacks in the server log: {tracebacks}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--active", type=int, default=200)
    parser.add_argument("--every", type=float, default=5.0)
    parser.add_argument("--window", type=float, default=30.0)
    parser.add_argument("--database", default="parley_bench_sockets")
    # redis-py 8 times reads out after 5 s, exactly channels_redis' BZPOPMIN wait: without a longer
    # socket_timeout one socket per process is dropped with 1011 every ~5 s (docs/deploy.md).
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3?socket_timeout=15")
    raise_descriptor_limit()
    main(parser.parse_args())
