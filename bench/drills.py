"""Fault drills against the `make serve` stack with practice turns flowing.

Run from the repository root as root:

    python bench/drills.py [--users 20] [--only kill,llm] [--settle 15]

The drills stop and restart services, so they bring their own: a Redis server on 127.0.0.1:6391
and a PostgreSQL cluster `parley_drills` on 127.0.0.1:5439 (Debian's pg_createcluster, created on
the first run and stopped at the end); the machine's own Redis and PostgreSQL are never touched.
It starts deploy/serve.sh (2 daphne processes behind nginx on 127.0.0.1:8090) on those, points the
AI partner at a local fake provider, and runs
`--users` clients through nginx, each sending a practice turn as soon as its previous one is
answered. Clients behave as docs/websocket.md asks: on a close they reconnect, `sync`, and resend
unacknowledged turns with the same client_id; a reply replayed by `sync` ends the turn, a failed
one and a turn answered with an error are resent (same client_id) after a pause;
a socket that answers no ping for 5 s is counted deaf, then dropped and reopened.

Drills, in this order (each service once, outages kept short; docs/deploy.md says what each does):
  llm    the provider answers 500 to everything for 10 s
  redis  Redis stopped for 10 s, then started again
  pg     PostgreSQL restarted
  kill   one ASGI process killed with SIGKILL (serve.sh starts it again)

Beside them, `--messengers` people (default 8) exchange messages the same way: pairs of them send
direct messages, and all of them write in one group; every member, the sender included, must
receive each acknowledged message. The fake provider answers the reply, the turn analysis and the
vocabulary calls (valid structured output, a finding and a word each turn), so those paths run
under the faults too.

For each drill: errors clients saw (during the outage window and outside it), closes by code,
deaf sockets, the time from the service being back to every client completing a turn again, and
the clients that never did. At the end, after the clients have had LOST_SECONDS to finish what
they started: a practice turn is lost when it was acknowledged and no finished reply reached its
client within LOST_SECONDS; a message is lost when it was acknowledged and some member had not
received it within LOST_SECONDS, and received twice when the server pushed it to a member twice
(a `sync` a client sends, on reconnecting or on a gap in the seqs, may repeat what it holds: those
copies are counted apart); both are also checked against the database (acknowledged, not
stored). A client still waiting then is stuck. The mistakes and vocabulary the analysis stored
show that those paths ran.
"""

import argparse
import asyncio
import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sockets import raise_descriptor_limit, users_prepare  # noqa: E402
from conversations.tests.fake_provider import FakeProvider, Scripted  # noqa: E402

LISTEN = "127.0.0.1:8090"
# An acknowledged turn or message not finished (reply received; every member has it) this long after
# its first ack is lost.
LOST_SECONDS = 30
LEARNER_TEXT = "ごはんが たべます。"
REPLY_TEXT = "はい、ごはんを たべましょう。"
FINDINGS = {
    "findings": [
        {
            "type": "particle",
            "severity": "medium",
            "original": "ごはんが たべます",
            "correction": "ごはんを たべます",
            "explanation": "たべます takes what is eaten with を, not が.",
            "rule": "object-marker-wo",
        }
    ],
    "goals_reached": [],
}
VOCABULARY = {"items": [{"phrase": "ごはん", "reading": "ごはん", "translation": "rice; a meal"}]}
BASE_PORT = 8191
DATABASE = "parley_drills"
PG_VERSION = sorted(os.listdir("/etc/postgresql"))[-1]
PG_CLUSTER, PG_PORT = "parley_drills", "5439"
PG_SERVER = f"postgres://postgres@127.0.0.1:{PG_PORT}"
REDIS_PORT = "6391"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", REDIS_PORT, "--save", "",
    "--appendonly", "no", "--dir", "/tmp", "--logfile", "/tmp/parley-drills-redis.log",
]  # fmt: skip
REDIS_CLI = ["redis-cli", "-p", REDIS_PORT]


CLOSED = object()


class Reconnecting:
    """A drill client's socket loop: connect (again after any drop) and talk until told to stop."""

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                ws = await self.http.ws_connect(
                    f"http://{LISTEN}/ws/?token={self.token}", origin=f"http://{LISTEN}", heartbeat=None
                )
            except (aiohttp.ClientError, OSError):
                self.errors.append((time.time(), "connect_failed"))
                await asyncio.sleep(0.5)
                continue
            await self.talk(ws, stop)

    async def frame(self, ws):
        """The next text frame; None after 0.2 s of quiet; CLOSED once the socket closed (noted in `closes`)."""
        try:
            msg = await ws.receive(timeout=0.2)
        except TimeoutError:
            return None
        if msg.type != aiohttp.WSMsgType.TEXT:
            self.closes.append((time.time(), ws.close_code))
            return CLOSED
        return msg.json()


class Client(Reconnecting):
    def __init__(self, http, token: str, session_id: str, n: int):
        self.http, self.token, self.session_id, self.n = http, token, session_id, n
        self.turn = 0
        self.outstanding: str | None = None  # client_id of the turn waiting for its reply
        self.sent_at = 0.0
        self.resend_at: float | None = None
        self.acked: dict[str, int] = {}
        self.acked_at: dict[str, float] = {}  # client_id -> its first ack
        self.done_at: dict[str, float] = {}  # client_id -> when its finished reply arrived
        self.draining = False  # no new turn once the current one is answered
        self.completed: list[float] = []
        self.errors: list[tuple[float, str]] = []
        self.closes: list[tuple[float, int | None]] = []
        self.deaf: list[float] = []
        self.last_seq = 0
        self.trace: collections.deque = collections.deque(maxlen=12)  # the last frames, to explain a stuck client

    def new_turn(self) -> None:
        self.turn += 1
        self.outstanding = f"drill-{self.n}-{self.turn}-{time.time_ns()}"

    async def send_turn(self, ws) -> None:
        self.trace.append((round(time.time(), 2), f"send {self.outstanding}"))
        self.sent_at = time.time()
        self.resend_at = None
        await ws.send_json(
            {"type": "user_message", "session_id": self.session_id, "content": LEARNER_TEXT,
             "client_id": self.outstanding}
        )  # fmt: skip

    async def reply_seen(self, ws, message: dict) -> None:
        if message["seq"] <= self.last_seq:
            return
        self.last_seq = message["seq"]
        if self.outstanding:
            self.completed.append(time.time())
            self.done_at.setdefault(self.outstanding, time.time())
            if self.draining:
                self.outstanding = None
                return
            self.new_turn()
            await self.send_turn(ws)

    async def talk(self, ws, stop: asyncio.Event) -> None:
        await ws.send_json({"type": "sync", "session_id": self.session_id, "after_seq": self.last_seq})
        if self.outstanding is None and not self.draining:
            self.new_turn()
        if self.outstanding is not None:
            await self.send_turn(ws)
        last_pong = time.time()
        next_ping = time.time() + 1
        while not stop.is_set():
            now = time.time()
            if now - last_pong > 5:
                self.deaf.append(now)
                print(f"client {self.n}: deaf since {last_pong:.1f} (turn waiting: {self.outstanding is not None})")
                await ws.close()
                return
            if now >= next_ping:
                next_ping = now + 1
                with contextlib.suppress(aiohttp.ClientConnectionResetError):
                    await ws.send_json({"type": "ping"})
            if self.resend_at and now >= self.resend_at:
                await self.send_turn(ws)
            frame = await self.frame(ws)
            if frame is CLOSED:
                return
            if frame is None:
                continue
            kind = frame.get("type")
            if kind not in ("pong", "ai.delta"):
                self.trace.append((round(time.time(), 2), {k: v for k, v in frame.items() if k != "message"}))
            if kind == "pong":
                last_pong = time.time()
            elif kind == "ack":
                self.acked[frame["client_id"]] = frame["seq"]
                self.acked_at.setdefault(frame["client_id"], time.time())
            elif kind == "ai.message" and frame.get("session_id") == self.session_id:
                await self.reply_seen(ws, frame["message"])
            elif kind == "message" and frame["message"]["role"] == "assistant":
                # replayed by `sync`: a reply that completed while this client was away ends its turn;
                # one that failed is asked for again by resending the turn
                if frame["message"]["state"] == "complete":
                    await self.reply_seen(ws, frame["message"])
                elif frame["message"]["state"] == "failed" and self.outstanding:
                    self.resend_at = time.time() + 0.2
            elif kind == "error":
                self.errors.append((time.time(), frame.get("code", "?")))
                # ai_unavailable names the session, other refusals the client_id: either way the
                # turn is resent with the same client_id, which is how docs/websocket.md retries.
                mine = frame.get("client_id") == self.outstanding or frame.get("session_id") == self.session_id
                if mine and self.outstanding:
                    self.resend_at = time.time() + (0.5 if frame.get("code") == "turn_in_progress" else 1)
        await ws.close()


class Messenger(Reconnecting):
    """A person writing to one partner (direct messages) and to the group, one message at a time.

    Like the learners: on a close it reconnects and `sync`s each conversation from the highest seq
    up to which it holds every message, and it does the same when a message arrives past a gap;
    a message not acknowledged (a close, an error) is resent with the same client_id.
    """

    def __init__(self, http, token: str, user_id: str, n: int, partner_id: str, group_id: str, conversations):
        self.http, self.token, self.user_id, self.n = http, token, user_id, n
        self.targets = [{"to": partner_id}, {"group_id": group_id}]
        self.conversations = conversations  # every conversation this person is in: sync them all
        self.sent = 0
        self.outstanding: dict | None = None
        self.resend_at: float | None = None
        self.next_at = 0.0
        self.draining = False
        self.acked: dict[str, tuple[str, int]] = {}  # client_id -> (conversation_id, seq)
        self.acked_at: dict[str, float] = {}
        # (conversation_id, seq) -> [(time, "live" or "replay")], one entry per copy received
        self.received: dict[tuple[str, int], list[tuple[float, str]]] = collections.defaultdict(list)
        # Per conversation: every seq up to the watermark is here (seqs are gap-free), and the ones above it.
        self.watermark: dict[str, int] = collections.defaultdict(int)
        self.above: dict[str, set[int]] = collections.defaultdict(set)
        self.replaying: set[str] = set()  # conversations with a `sync` not yet answered by `synced`
        self.errors: list[tuple[float, str]] = []
        self.closes: list[tuple[float, int | None]] = []

    def next_message(self) -> None:
        target = self.targets[self.sent % 2]
        self.sent += 1
        self.outstanding = {"type": "send_message", **target, "content": f"メッセージ {self.sent}",
                            "client_id": f"dm-{self.n}-{self.sent}-{time.time_ns()}"}  # fmt: skip

    async def sync(self, ws, conversation_id: str) -> None:
        self.replaying.add(conversation_id)
        await ws.send_json({"type": "sync", "conversation_id": conversation_id,
                            "after_seq": self.watermark[conversation_id]})  # fmt: skip

    async def talk(self, ws, stop: asyncio.Event) -> None:
        self.replaying.clear()
        for conversation_id in self.conversations:
            await self.sync(ws, conversation_id)
        if self.outstanding is not None:
            self.resend_at = time.time()
        while not stop.is_set():
            now = time.time()
            if self.outstanding is None and not self.draining and now >= self.next_at:
                self.next_message()
                self.resend_at = now
            if self.resend_at is not None and now >= self.resend_at:
                self.resend_at = now + 5  # no ack in 5 s: send it again
                with contextlib.suppress(aiohttp.ClientConnectionResetError):
                    await ws.send_json(self.outstanding)
            frame = await self.frame(ws)
            if frame is CLOSED:
                return
            if frame is None:
                continue
            kind = frame.get("type")
            if kind == "ack" and self.outstanding and frame.get("client_id") == self.outstanding["client_id"]:
                self.acked[frame["client_id"]] = (frame["conversation_id"], frame["seq"])
                self.acked_at.setdefault(frame["client_id"], time.time())
                self.outstanding, self.resend_at, self.next_at = None, None, time.time() + 1
            elif kind == "message" and frame["message"]["conversation_id"] in self.conversations:
                conversation_id, seq = frame["message"]["conversation_id"], frame["message"]["seq"]
                via = "replay" if conversation_id in self.replaying else "live"
                self.received[(conversation_id, seq)].append((time.time(), via))
                if seq > self.watermark[conversation_id]:
                    self.above[conversation_id].add(seq)
                while self.watermark[conversation_id] + 1 in self.above[conversation_id]:
                    self.watermark[conversation_id] += 1
                    self.above[conversation_id].discard(self.watermark[conversation_id])
                if self.above[conversation_id] and conversation_id not in self.replaying:
                    # A gap (a frame lost while the channel layer was down): ask for what is missing.
                    await self.sync(ws, conversation_id)
            elif kind == "synced":
                self.replaying.discard(frame.get("conversation_id"))
            elif kind == "error":
                self.errors.append((time.time(), frame.get("code", "?")))
                if self.outstanding and frame.get("client_id") == self.outstanding["client_id"]:
                    self.resend_at = time.time() + 1
        await ws.close()


def shell(*command: str) -> None:
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)


def ok(*command: str) -> bool:
    return subprocess.run(command, check=False, capture_output=True, timeout=10).returncode == 0


async def wait_until(check, limit: float = 60) -> float:
    deadline = time.time() + limit
    while time.time() < deadline:
        if await asyncio.to_thread(check):
            return time.time()
        await asyncio.sleep(0.1)
    raise RuntimeError("the service did not come back")


def redis_up() -> bool:
    return b"PONG" in subprocess.run([*REDIS_CLI, "ping"], capture_output=True, timeout=10).stdout


def pg_up() -> bool:
    return ok("pg_isready", "-q", "-h", "127.0.0.1", "-p", PG_PORT)


def pg_cluster(action: str) -> None:
    shell("pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_CLUSTER, action)


def services_start() -> None:
    """The drills' own Redis and PostgreSQL cluster (created once, trust auth on loopback)."""
    if not redis_up():
        shell(*REDIS_START)
    if not os.path.isdir(f"/etc/postgresql/{PG_VERSION}/{PG_CLUSTER}"):
        subprocess.run(
            ["pg_createcluster", PG_VERSION, PG_CLUSTER, "-p", PG_PORT, "--", "--auth=trust"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    pg_cluster("start")
    deadline = time.time() + 60
    while not (redis_up() and pg_up()):
        if time.time() > deadline:
            raise RuntimeError("the drills' Redis or PostgreSQL did not start")
        time.sleep(0.2)


def services_stop() -> None:
    shell(*REDIS_CLI, "shutdown", "nosave")
    pg_cluster("stop")


def healthy(url: str) -> bool:
    return ok("curl", "-fs", "-o", "/dev/null", "--max-time", "2", url)


async def drill_kill(run_dir: Path, fake, state) -> tuple[float, float]:
    pid = int((run_dir / "worker-1.pid").read_text())
    start = time.time()
    os.kill(pid, signal.SIGKILL)
    back = await wait_until(
        lambda: int((run_dir / "worker-1.pid").read_text()) != pid and healthy(f"http://127.0.0.1:{BASE_PORT}/healthz")
    )
    return start, back


async def drill_llm(run_dir: Path, fake, state) -> tuple[float, float]:
    start = time.time()
    state["llm_down"] = True
    await asyncio.sleep(10)
    state["llm_down"] = False
    return start, time.time()


async def drill_redis(run_dir: Path, fake, state) -> tuple[float, float]:
    start = time.time()
    await asyncio.to_thread(shell, *REDIS_CLI, "shutdown", "nosave")
    await asyncio.sleep(10)
    await asyncio.to_thread(shell, *REDIS_START)
    back = await wait_until(redis_up)
    return start, back


async def drill_pg(run_dir: Path, fake, state) -> tuple[float, float]:
    start = time.time()
    await asyncio.to_thread(pg_cluster, "restart")
    back = await wait_until(pg_up)
    return start, back


DRILLS = {"kill": drill_kill, "llm": drill_llm, "redis": drill_redis, "pg": drill_pg}


def report(name: str, start: float, back: float, clients: list[Client], since: float, until: float) -> None:
    grace = back + 5
    errors = collections.Counter()
    outside = collections.Counter()
    for c in clients:
        for at, code in c.errors:
            if since <= at < until:
                (errors if start <= at <= grace else outside)[code] += 1
    closes = collections.Counter(code for c in clients for at, code in c.closes if since <= at < until)
    deaf = sum(1 for c in clients for at in c.deaf if since <= at < until)
    recovered = [next((t for t in c.completed if t >= back), None) for c in clients]
    stuck = sum(1 for t in recovered if t is None)
    for c, t in zip(clients, recovered, strict=True):
        if t is None:
            print(f"  client {c.n} stuck: outstanding {c.outstanding}; last frames {list(c.trace)}")
    recovery = max((t for t in recovered if t is not None), default=back) - back
    print(
        f"{name:6} outage {back - start:5.1f} s | recovery {recovery:5.1f} s"
        f"{f' ({stuck} clients never recovered)' if stuck else ''} | errors in outage {dict(errors)}"
        f" | errors outside {dict(outside)} | closes {dict(closes)} | deaf {deaf}"
    )


def stored_counts(client_ids) -> dict[str, int]:
    """How many rows carry each client_id (one, for a message stored once)."""
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as conn:
        rows = conn.execute(
            "SELECT client_id, count(*) FROM conversations_message WHERE client_id = ANY(%s) GROUP BY client_id",
            [list(client_ids)],
        ).fetchall()
    return dict(rows)


def turn_report(clients: list[Client]) -> tuple[int, int]:
    """Acknowledged turns lost (no finished reply within LOST_SECONDS) and stuck clients, printed."""
    acked = {cid: (c, at) for c in clients for cid, at in c.acked_at.items()}
    lost = [cid for cid, (c, at) in acked.items() if c.done_at.get(cid, float("inf")) - at > LOST_SECONDS]
    stored = stored_counts(acked)
    stuck = [c for c in clients if c.outstanding is not None]
    for c in stuck:
        print(f"  client {c.n} stuck: outstanding {c.outstanding}; last frames {list(c.trace)}")
    with psycopg.connect(f"{PG_SERVER}/{DATABASE}") as conn:
        mistakes = conn.execute("SELECT count(*) FROM evaluations_mistake").fetchone()[0]
        words = conn.execute("SELECT count(*) FROM vocabulary_vocabularyitem").fetchone()[0]
    print(f"analysis under the faults: {mistakes} mistakes and {words} vocabulary items stored")
    print(
        f"practice turns: acknowledged {len(acked)}, replies {sum(len(c.done_at) for c in clients)}; "
        f"lost {len(lost)} (no finished reply within {LOST_SECONDS} s); "
        f"not stored {sum(1 for cid in acked if cid not in stored)}, "
        f"stored twice {sum(n - 1 for n in stored.values() if n > 1)}; stuck clients {len(stuck)}"
    )
    return len(lost), len(stuck)


def message_report(messengers: list[Messenger]) -> tuple[int, int]:
    """Acknowledged messages lost (some member lacks it LOST_SECONDS after the ack) and stuck people, printed."""
    members: dict[str, list[Messenger]] = collections.defaultdict(list)
    for m in messengers:
        for conversation_id in m.conversations:
            members[conversation_id].append(m)
    acked = {cid: (m.acked_at[cid], *where) for m in messengers for cid, where in m.acked.items()}
    lost, twice, replayed = [], 0, 0
    for cid, (at, conversation_id, seq) in acked.items():
        copies = [member.received.get((conversation_id, seq), []) for member in members[conversation_id]]
        for c in copies:
            live = sum(1 for _, via in c if via == "live")
            # Pushed twice by the server; a copy in a replay the client asked for is no fault (it
            # holds the seq and drops the copy, as a client resuming from a watermark does).
            twice += live > 1
            replayed += len(c) > 1 and live <= 1
        if any(not c or min(t for t, _ in c) - at > LOST_SECONDS for c in copies):
            lost.append(cid)
            print(f"  message {cid} (seq {seq}) missing for {sum(1 for c in copies if not c)} member(s)")
    stored = stored_counts(acked)
    stuck = [m for m in messengers if m.outstanding is not None]
    for m in stuck:
        print(f"  person {m.n} stuck: unacknowledged {m.outstanding['client_id']}")
    print(
        f"messages (direct and group): acknowledged {len(acked)}; lost {len(lost)} (not received by every "
        f"member within {LOST_SECONDS} s), received twice {twice} "
        f"(and {replayed} times again in a replay the client asked for); "
        f"not stored {sum(1 for cid in acked if cid not in stored)}, "
        f"stored twice {sum(n - 1 for n in stored.values() if n > 1)}; stuck people {len(stuck)}"
    )
    return len(lost), len(stuck)


def messengers_prepare(count: int) -> list[dict]:
    """`count` people (even): pairs with a direct conversation, and one group of them all."""
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from conversations.services.messaging import direct_get_or_create, group_create

    people = []
    for n in range(count):
        email = f"drills-person-{n}@example.com"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, username=f"drills-person-{n}", password="drills-password-1"
        )
        people.append(user)
    group = group_create(owner=people[0], name="Drills", member_ids=[str(p.id) for p in people[1:]])
    prepared = []
    for n, user in enumerate(people):
        partner = people[n ^ 1]
        direct = direct_get_or_create(user=user, other_id=str(partner.id))
        prepared.append(
            {
                "token": str(AccessToken.for_user(user)),
                "user_id": str(user.id),
                "partner_id": str(partner.id),
                "group_id": str(group.id),
                "conversations": [str(direct.id), str(group.id)],
            }
        )
    return prepared


def answer(body: dict) -> Scripted:
    """The reply, or the structured output the turn analysis and the vocabulary call ask for."""
    schema = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    if schema == "Findings":
        return Scripted(text=json.dumps(FINDINGS, ensure_ascii=False))
    if schema == "VocabularyTags":
        return Scripted(text=json.dumps(VOCABULARY, ensure_ascii=False))
    if schema == "SummaryOut":
        return Scripted(text=json.dumps({"summary": "The learner talked about eating rice."}))
    return Scripted(text=REPLY_TEXT)


async def main(args) -> None:
    fake = FakeProvider()
    fake.start()
    state = {"llm_down": False}
    fake.responder = lambda body: Scripted(status=500) if state["llm_down"] else answer(body)
    run_dir = Path(tempfile.mkdtemp(prefix="parley-drills-"))
    env = {
        "PY": sys.executable,
        "SERVE_RUN_DIR": str(run_dir),
        "SERVE_LISTEN": LISTEN,
        "SERVE_BASE_PORT": str(BASE_PORT),
        "DATABASE_URL": f"{PG_SERVER}/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0?socket_timeout=15",
        "CHANNEL_LAYER_PREFIX": "parley-drills",
        "CACHE_KEY_PREFIX": "parley-drills",
        "LLM_PROVIDER": "openai",
        "LLM_MODEL": "fake-model",
        "LLM_BASE_URL": fake.url,
        "OPENAI_API_KEY": "sk-drills",
        "LLM_MAX_RETRIES": "1",
        "LLM_RETRY_BASE_SECONDS": "0.05",
        "LLM_TIMEOUT_SECONDS": "5",
        "LLM_BREAKER_COOLDOWN_SECONDS": "2",
        "LLM_USER_RATE": "1000000",
        "LLM_DAILY_TOKEN_BUDGET": "1000000000",
        "THROTTLE_RATE_USER": "100000/min",
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update({k: v for k, v in env.items() if k not in ("PY",)})
    os.environ.update({"DEBUG": "0", "SECRET_KEY": "drills-" + "x" * 50, "DJANGO_SETTINGS_MODULE": "config.settings"})
    await asyncio.to_thread(services_start)
    # A fresh database each run: a turn stranded by an earlier kill drill would skew this one.
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    tokens, sessions = await asyncio.to_thread(users_prepare, args.users, args.users)
    people = await asyncio.to_thread(messengers_prepare, args.messengers)
    serve = subprocess.Popen(
        ["deploy/serve.sh", "start"], cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=open(run_dir / "serve.log", "w"), start_new_session=True,  # noqa: SIM115
    )  # fmt: skip
    try:
        await wait_until(lambda: healthy(f"http://{LISTEN}/healthz"), limit=120)
        stop = asyncio.Event()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            clients = [Client(http, t, s, n) for n, (t, s) in enumerate(zip(tokens, sessions, strict=True))]
            messengers = [Messenger(http, n=n, **p) for n, p in enumerate(people)]
            tasks = [asyncio.create_task(c.run(stop)) for c in [*clients, *messengers]]
            await asyncio.sleep(args.settle)
            baseline = sum(len(c.completed) for c in clients)
            print(f"{args.users} clients through nginx; {baseline} turns completed in the first {args.settle:g} s")
            for name in args.only.split(","):
                since = time.time()
                start, back = await DRILLS[name](run_dir, fake, state)
                await asyncio.sleep(args.settle)
                report(name, start, back, clients, since, time.time())
            # Nothing new from here; what was started gets LOST_SECONDS to finish.
            everyone = [*clients, *messengers]
            for c in everyone:
                c.draining = True
            deadline = time.time() + LOST_SECONDS
            while time.time() < deadline and any(c.outstanding is not None for c in everyone):
                await asyncio.sleep(0.2)
            await asyncio.sleep(2)  # the last messages' copies to every member
            stop.set()
            await asyncio.gather(*tasks)
        turn_report(clients)
        message_report(messengers)
        print(f"deaf sockets {sum(len(c.deaf) for c in clients)}")
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(30)
        fake.stop()
        print(
            f"drills' redis: {'up' if redis_up() else 'DOWN'}; postgres: {'up' if pg_up() else 'DOWN'}; "
            f"logs in {run_dir}"
        )
        services_stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--messengers", type=int, default=8, help="people messaging each other (even)")
    parser.add_argument("--only", default="llm,redis,pg,kill")
    parser.add_argument("--settle", type=float, default=15.0)
    raise_descriptor_limit()
    asyncio.run(main(parser.parse_args()))
