"""Messaging benchmark: Parley's socket against a bare relay through the same Redis channel layer.

Two daphne processes, the Redis channel layer and PostgreSQL; real websocket clients on loopback.
N users, each in a DM with a partner, the first 50 also in one group. Every user's socket goes to
one of the two processes, so most deliveries cross processes. Two workloads, each run against
Parley (`config.asgi:application`: store, receipts, presence) and against the floor (this file's
`floor_application`: a consumer that only relays frames through the channel layer):

- throughput: every user sends as fast as their own previous message comes back (closed loop);
  prints delivered messages per second (a message to a group of 50 is 49 deliveries);
- paced: direct messages at each rate of `--rates` in turn (open loop, ascending, stopping after the
  first rate whose p99 reaches 50 ms); prints send-to-receive latency p50/p99 of every copy, however
  late (each rate waits up to 30 s for its stragglers), and the servers' CPU per delivery.

At the end, side by side: CPU per paced delivery at the lowest rate, Parley over the relay (goal:
at most 1.3x), and the highest paced rate with p99 under 50 ms, Parley's as a share of the relay's
(goal: at least half).

In the throughput run one message in five goes to the group, the rest to the sender's DM partner.
Each workload counts only the copies of its own messages, so a backlog left by the paced run does
not inflate the throughput. The servers run the production settings (DEBUG off).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/messaging.py [--users 100] [--seconds 5] [--rates 50,100,200,300,400,600]
"""

import argparse
import asyncio
import collections
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import cpu_seconds, daphne_start, free_port, port_wait  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The production settings, here too: the tokens minted below must be signed with the servers' key.
os.environ.update(
    {
        "DEBUG": "0",
        "SECRET_KEY": "bench-messaging-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
)

import django  # noqa: E402

django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

GROUP_SIZE = 50
GROUP_SHARE = 0.2
PACED_P99_MS = 50.0


class RelayConsumer(AsyncWebsocketConsumer):
    """The floor: join the user's group, relay each frame to the listed users' groups, store nothing."""

    async def connect(self):
        self.user_id = parse_qs(self.scope["query_string"].decode())["user"][0]
        await self.channel_layer.group_add(f"user.{self.user_id}", self.channel_name)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        event = {"type": "relay", "text": json.dumps({"type": "message", "message": frame["message"]})}
        await asyncio.gather(*(self.channel_layer.group_send(f"user.{uid}", event) for uid in frame["to"]))

    async def relay(self, event):
        await self.send(text_data=event["text"])


floor_application = ProtocolTypeRouter({"websocket": URLRouter([re_path(r"^ws/$", RelayConsumer.as_asgi())])})


def servers_start(app: str, count: int) -> tuple[list[int], list[subprocess.Popen]]:
    ports = [free_port() for _ in range(count)]
    env = {
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "600",
        "MESSAGE_RATE": "1000000/1s",
        "CHANNEL_LAYER_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
    }
    processes = [daphne_start(port, env, app=app) for port in ports]
    for port in ports:
        port_wait(port)
    return ports, processes


def servers_stop(processes) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def world_build(n_users: int) -> dict:
    """Users, their DMs and one group, fresh for this run."""
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from conversations.services import messaging

    run = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        [User(username=f"bench-{run}-{i}", email=f"bench-{run}-{i}@example.com", password="!") for i in range(n_users)]
    )
    members = users[:GROUP_SIZE]
    group = messaging.group_create(owner=members[0], name="bench", member_ids=[str(u.id) for u in members[1:]])
    partners = {}
    for a, b in zip(users[::2], users[1::2], strict=False):
        messaging.direct_get_or_create(user=a, other_id=b.id)
        partners[str(a.id)], partners[str(b.id)] = str(b.id), str(a.id)
    return {
        "ids": [str(u.id) for u in users],
        "tokens": {str(u.id): str(AccessToken.for_user(u)) for u in users},
        "partners": partners,
        "group_id": str(group.id),
        "members": [str(u.id) for u in members],
    }


class Clients:
    """One socket per user; records when each message was sent and when each copy arrived."""

    def __init__(self, world: dict, floor: bool):
        self.world, self.floor = world, floor
        self.sent_at: dict[str, float] = {}
        self.phase_of: dict[str, str] = {}
        self.phase = ""
        self.echo: dict[str, asyncio.Future] = {}
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.expected: collections.Counter = collections.Counter()
        self.lost = 0
        self.sockets = {}
        self.tasks = set()  # asyncio keeps only weak references to tasks

    async def connect(self, session, ports: list[int]) -> None:
        async def one(index, user_id):
            port = ports[index % len(ports)]
            query = f"user={user_id}" if self.floor else f"token={self.world['tokens'][user_id]}"
            ws = await session.ws_connect(f"ws://127.0.0.1:{port}/ws/?{query}", origin=f"http://127.0.0.1:{port}")
            self.sockets[user_id] = ws
            self.spawn(self.listen(user_id, ws))

        await asyncio.gather(*(one(i, uid) for i, uid in enumerate(self.world["ids"])))
        await asyncio.sleep(5)  # let the presence storm of the connections pass

    def spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def listen(self, user_id: str, ws) -> None:
        async for raw in ws:
            frame = json.loads(raw.data)
            if frame["type"] != "message":
                continue
            client_id = frame["message"]["client_id"]
            if frame["message"]["sender_id"] == user_id:
                future = self.echo.pop(client_id, None)
                if future is not None and not future.done():
                    future.set_result(None)
                continue
            self.latencies[self.phase_of[client_id]].append(time.perf_counter() - self.sent_at[client_id])

    async def send(self, user_id: str, wait: bool, group_share: float) -> None:
        client_id = uuid.uuid4().hex
        in_group = user_id in self.world["members"] and random.random() < group_share
        self.sent_at[client_id] = time.perf_counter()
        self.phase_of[client_id] = self.phase
        self.expected[self.phase] += len(self.world["members"]) - 1 if in_group else 1
        future = asyncio.get_running_loop().create_future()
        self.echo[client_id] = future
        if self.floor:
            to = self.world["members"] if in_group else [user_id, self.world["partners"][user_id]]
            message = {"id": client_id, "client_id": client_id, "sender_id": user_id, "content": "hello"}
            frame = {"to": to, "message": message}
        else:
            target = {"group_id": self.world["group_id"]} if in_group else {"to": self.world["partners"][user_id]}
            frame = {"type": "send_message", "content": "hello", "client_id": client_id, **target}
        await self.sockets[user_id].send_str(json.dumps(frame))
        if wait:
            try:
                await asyncio.wait_for(future, timeout=5)
            except TimeoutError:
                self.lost += 1

    def deliveries(self, phase: str) -> int:
        return len(self.latencies[phase])

    async def drain(self, phase: str, limit: float) -> float:
        """Wait until every copy of the phase's messages arrived (at most `limit` s); the time waited."""
        started = time.perf_counter()
        while self.deliveries(phase) < self.expected[phase] and time.perf_counter() - started < limit:
            await asyncio.sleep(0.05)
        return time.perf_counter() - started


async def measure(world: dict, ports: list[int], pids: list[int], floor: bool, seconds: float, rates) -> dict:
    import aiohttp

    clients = Clients(world, floor)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await clients.connect(session, ports)

        paced = []
        for rate in rates:
            # Every copy counts, however late; each rate starts on a quiet server.
            clients.phase = f"paced-{rate}"
            cpu = cpu_seconds(*pids)
            started = time.perf_counter()
            for n in range(int(rate * seconds)):
                await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
                clients.spawn(clients.send(random.choice(world["ids"]), wait=False, group_share=0))
            drained = await clients.drain(clients.phase, limit=30)
            latencies = sorted(clients.latencies[clients.phase])
            delivered = clients.deliveries(clients.phase)
            paced.append(
                {
                    "rate": rate,
                    "latencies": latencies,
                    "expected": clients.expected[clients.phase],
                    "drained": drained,
                    "cpu": (cpu_seconds(*pids) - cpu) / delivered if delivered else None,
                }
            )
            if delivered < clients.expected[clients.phase] or percentile(latencies, 0.99) >= PACED_P99_MS:
                break

        async def closed_loop(user_id, until):
            while time.perf_counter() < until:
                await clients.send(user_id, wait=True, group_share=GROUP_SHARE)

        clients.phase = "closed"
        cpu = cpu_seconds(*pids)
        started = time.perf_counter()
        await asyncio.gather(*(closed_loop(uid, started + seconds) for uid in world["ids"]))
        elapsed = time.perf_counter() - started
        throughput = clients.deliveries("closed") / elapsed
        closed_cpu = (cpu_seconds(*pids) - cpu) / max(1, clients.deliveries("closed"))
        lost = clients.lost
        closed_latencies = sorted(clients.latencies["closed"])

        for ws in clients.sockets.values():
            await ws.close()
    return {
        "throughput": throughput,
        "closed": closed_latencies,
        "paced": paced,
        "lost": lost,
        "closed_cpu": closed_cpu,
    }


def percentile(values: list[float], p: float) -> float:
    """In ms; NaN for no values (a NaN p99 passes no goal)."""
    return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else float("nan")


def paced_knee(result: dict) -> int:
    """The highest paced rate whose copies all arrived with p99 under PACED_P99_MS (0: none)."""
    passed = [
        run["rate"]
        for run in result["paced"]
        if len(run["latencies"]) == run["expected"] and percentile(run["latencies"], 0.99) < PACED_P99_MS
    ]
    return max(passed, default=0)


def report(name: str, result: dict) -> None:
    closed = result["closed"]
    print(
        f"{name:7} throughput {result['throughput']:8.0f} deliveries/s "
        f"(closed loop p50 {percentile(closed, 0.5):6.1f} ms, p99 {percentile(closed, 0.99):6.1f} ms, "
        f"server CPU {result['closed_cpu'] * 1000:.2f} ms a delivery) | echoes not back within 5 s: {result['lost']}"
    )
    for run in result["paced"]:
        latencies = run["latencies"]
        cpu = f"{run['cpu'] * 1000:.2f} ms" if run["cpu"] is not None else "n/a (nothing delivered)"
        print(
            f"  paced {run['rate']:5} DM/s: {len(latencies)}/{run['expected']} deliveries "
            f"(all in {run['drained']:.1f} s after the last send), p50 {percentile(latencies, 0.5):6.1f} ms, "
            f"p99 {percentile(latencies, 0.99):7.1f} ms, mean "
            f"{statistics.fmean(latencies) * 1000 if latencies else float('nan'):6.1f} ms; server CPU {cpu} a delivery"
        )
    print(f"  highest paced DM rate with p99 under {PACED_P99_MS:g} ms: {paced_knee(result)} DM/s")


def paced_cpu(result: dict) -> float | None:
    """Server CPU a delivery at the first (lowest) paced rate, where neither server is saturated."""
    return result["paced"][0]["cpu"] if result["paced"] else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rates", default="50,100,200,300,400,600", help="paced DM rates to try, ascending")
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("REDIS_URL") or "postgres" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures the production setup.")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
    rates = [int(rate) for rate in args.rates.split(",")]
    world = world_build(args.users)
    print(
        f"{args.users} users, {len(world['partners']) // 2} DMs, a group of {len(world['members'])}, "
        f"{args.processes} daphne processes, {args.seconds:g} s per workload, {GROUP_SHARE:.0%} of sends to the group"
    )
    results = {}
    runs = (("floor", "bench.messaging:floor_application", True), ("parley", "config.asgi:application", False))
    for name, app, floor in runs:
        ports, processes = servers_start(app, args.processes)
        try:
            pids = [process.pid for process in processes]
            results[name] = asyncio.run(measure(world, ports, pids, floor, args.seconds, rates))
        finally:
            servers_stop(processes)
        report(name, results[name])
    parley, floor = results["parley"], results["floor"]
    ratio = parley["throughput"] / floor["throughput"] if floor["throughput"] else float("nan")
    print(f"parley/floor closed-loop throughput: {ratio:.0%}")
    cpu = (paced_cpu(parley), paced_cpu(floor))
    if None in cpu:
        print("CPU a paced delivery: n/a (a server delivered nothing at the first rate)")
    else:
        print(
            f"CPU a paced delivery at {rates[0]} DM/s: parley {cpu[0] * 1000:.2f} ms, relay {cpu[1] * 1000:.2f} ms, "
            f"parley/relay {cpu[0] / cpu[1]:.2f}x (target <= 1.3x)"
        )
    knees = (paced_knee(parley), paced_knee(floor))
    share = f"{knees[0] / knees[1]:.0%}" if knees[1] else "n/a"
    print(
        f"highest paced DM rate with p99 < {PACED_P99_MS:g} ms: parley {knees[0]} DM/s, relay {knees[1]} DM/s, "
        f"parley/relay {share} (target >= 50%)"
    )


if __name__ == "__main__":
    main()
