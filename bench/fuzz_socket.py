"""Hostile input on the socket: thousands of malformed frames against a live daphne.

Run from the repository root (PostgreSQL and Redis on their local defaults):

    python bench/fuzz_socket.py [--frames 6000] [--sockets 8] [--seed 1]

Frames: bad JSON, JSON that is not an object, wrong field types, oversize and deeply nested
frames, unknown types, strings PostgreSQL cannot store (NUL, lone surrogates), binary frames and
a flood of pings. After each frame the client waits for the answer: an `error` event (or the
frame's normal answer), or a close with a code, which is counted and followed by a reconnect.
Passes when every frame is answered or closed with a code and the server log holds 0 tracebacks.
"""

import argparse
import asyncio
import collections
import json
import os
import random
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import daphne_start, free_port, healthz_wait, page_origin  # noqa: E402
from bench.sockets import database_create, raise_descriptor_limit, server_env, users_prepare  # noqa: E402

ANSWERS = {"error", "pong", "ack", "synced"}
LOG = ROOT / "bench" / "data" / "fuzz-daphne.log"


def hostile_frames(rng: random.Random, session_id: str, count: int) -> list[tuple[str, str | bytes]]:
    """(category, frame) pairs; text frames are str, binary frames bytes."""
    junk_values = [None, True, 0, -1, 1.5, 10**30, float("1e308"), "", "x" * 5000, [], {}, [1, "a"], {"a": 1}]
    shapes = [
        ("bad_json", lambda: rng.choice(["{", "}", "nul", "{'type': 'ping'}", '{"type": "ping",}', "\x00", "[1,"])),
        ("bad_json", lambda: "".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(1, 200)))),
        ("not_an_object", lambda: json.dumps(rng.choice([[], [1, 2], 1, "ping", None, True]))),
        ("type_wrong", lambda: json.dumps({"type": rng.choice(junk_values)})),
        ("unknown_type", lambda: json.dumps({"type": "".join(rng.choices("abcdef_.$/", k=rng.randrange(1, 60)))})),
        (
            "user_message_fields",
            lambda: json.dumps(
                {
                    "type": "user_message",
                    "session_id": rng.choice([session_id, *junk_values[:9], "not-a-uuid"]),
                    "content": rng.choice(junk_values),
                    "client_id": rng.choice(junk_values),
                }
            ),
        ),
        (
            "sync_fields",
            lambda: json.dumps(
                {
                    "type": "sync",
                    "session_id": rng.choice([session_id, *junk_values]),
                    "conversation_id": rng.choice(junk_values),
                    "after_seq": rng.choice(junk_values),
                }
            ),
        ),
        (
            "unstorable_text",
            lambda: json.dumps(
                {
                    "type": "user_message",
                    "session_id": session_id,
                    "content": rng.choice(["a\x00b", "\ud800", "\udfff x", "ok\x00"]),
                    "client_id": rng.choice(["c\x00", "\ud83d", f"fuzz-{rng.random()}"]),
                }
            ),
        ),
        ("nested", lambda: "[" * rng.choice([1000, 20_000, 63_000])),
        ("nested", lambda: '{"type": "ping", "x": ' + "[" * 30_000 + "]" * 30_000 + "}"),
        ("numbers", lambda: '{"type": "sync", "after_seq": ' + rng.choice(["NaN", "Infinity", "-0", "1" * 5000]) + "}"),
        ("oversize", lambda: json.dumps({"type": "ping", "pad": "x" * rng.choice([64_001, 200_000, 1_000_000])})),
        ("binary", lambda: rng.randbytes(rng.randrange(1, 4096))),
    ]
    weights = [8, 8, 6, 8, 10, 20, 12, 8, 2, 2, 4, 2, 10]
    return [(category, make()) for category, make in rng.choices(shapes, weights=weights, k=count)]


class Prober:
    """One socket that sends a frame, waits for its answer, and reconnects after a close."""

    def __init__(self, http, url: str, tally: collections.Counter):
        self.http, self.url, self.tally = http, url, tally
        self.ws = None

    async def connect(self) -> None:
        self.ws = await self.http.ws_connect(self.url, origin=page_origin(self.url), max_msg_size=0)

    async def probe(self, category: str, frame: str | bytes) -> None:
        if self.ws is None or self.ws.closed:
            await self.connect()
        if isinstance(frame, bytes):
            await self.ws.send_bytes(frame)
        else:
            await self.ws.send_str(frame)
        deadline = time.monotonic() + 10
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await self.ws.receive(timeout=left)
            except TimeoutError:
                break
            if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                self.tally[f"closed {self.ws.close_code}"] += 1
                self.tally[f"{category}: closed {self.ws.close_code}"] += 1
                return
            answer = json.loads(msg.data)
            if answer.get("type") in ANSWERS:
                label = answer["type"] if answer["type"] != "error" else f"error {answer.get('code')}"
                self.tally[label] += 1
                self.tally[f"{category}: {label}"] += 1
                return
        self.tally["no answer in 10 s"] += 1
        self.tally[f"{category}: no answer"] += 1


async def flood(http, url: str, count: int, tally: collections.Counter) -> None:
    ws = await http.ws_connect(url, origin=page_origin(url))
    for _ in range(count):
        await ws.send_str('{"type": "ping"}')
    pongs = 0
    while pongs < count:
        try:
            msg = await ws.receive(timeout=10)
        except TimeoutError:
            break
        if msg.type != aiohttp.WSMsgType.TEXT:
            break
        pongs += json.loads(msg.data).get("type") == "pong"
    tally["flood pings sent"] += count
    tally["flood pongs received"] += pongs
    await ws.close()


async def run(args, env: dict, token: str, session_id: str) -> None:
    port = free_port()
    with LOG.open("w") as log:
        daphne = daphne_start(port, env, log=log, preexec_fn=raise_descriptor_limit)
        try:
            await fuzz(args, port, token, session_id)
        finally:
            daphne.terminate()
            daphne.wait(10)
    text = LOG.read_text()
    print(f"server log: {text.count('Traceback')} tracebacks, {text.count('ERROR')} ERROR lines ({LOG})")


async def fuzz(args, port: int, token: str, session_id: str) -> None:
    rng = random.Random(args.seed)
    frames = hostile_frames(rng, session_id, args.frames)
    url = f"http://127.0.0.1:{port}/ws/?token={token}"
    tally: collections.Counter = collections.Counter()
    healthz_wait(port)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        started = time.perf_counter()
        probers = [Prober(http, url, tally) for _ in range(args.sockets)]

        async def worker(n: int) -> None:
            for category, frame in frames[n :: args.sockets]:
                await probers[n].probe(category, frame)

        await asyncio.gather(*(worker(n) for n in range(args.sockets)))
        await asyncio.gather(*(flood(http, url, args.flood, tally) for _ in range(4)))
        elapsed = time.perf_counter() - started
        async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
            healthy = response.status
    flooded = tally["flood pings sent"]
    print(f"{len(frames) + flooded} frames ({len(frames)} hostile, one by one; {flooded} in floods) in {elapsed:.0f} s")
    for label, count in sorted(tally.items()):
        if ":" not in label:
            print(f"  {label}: {count}")
    print("  by category:")
    for label, count in sorted(tally.items()):
        if ":" in label:
            print(f"    {label}: {count}")
    print(f"healthz after: {healthy}")


def main(args) -> None:
    env = server_env(args.database, args.redis_url)
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(args.database)
    tokens, sessions = users_prepare(1, 1)
    asyncio.run(run(args, env, tokens[0], sessions[0]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=6000)
    parser.add_argument("--sockets", type=int, default=8)
    parser.add_argument("--flood", type=int, default=1000, help="pings per flood (4 floods)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="parley_bench_sockets")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3?socket_timeout=15")
    raise_descriptor_limit()
    main(parser.parse_args())
