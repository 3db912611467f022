"""Where a practice turn's CPU goes: pyinstrument over every thread, one socket, the offline partner.

Run from the repository root (PostgreSQL and Redis on their local defaults):

    python bench/turn_profile.py [--turns 100] [--html bench/data/turn-profile.html]

The production settings as bench/sockets.py starts daphne with them (DEBUG=0, PostgreSQL, the
Redis cache and channel layer), but in this process: one learner's socket (channels'
WebsocketCommunicator on the ASGI application) sends `--turns` turns one after another, each
waited for until its reply, analysis and summary are done. pyinstrument samples the event loop
and every worker thread (database and cache calls run there) on each thread's own CPU clock
(`time.thread_time`), so time spent waiting on PostgreSQL, Redis or the next frame is not
counted: the tree is where the CPU goes. It prints the CPU per turn (process CPU over turns),
then the profile; `--html` writes pyinstrument's interactive page too.
"""

import argparse
import asyncio
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sockets import SENTENCES, database_create, server_env, users_prepare  # noqa: E402


class ThreadProfiles:
    """One pyinstrument profiler per thread, each on that thread's CPU clock."""

    def __init__(self, interval: float):
        self.interval = interval
        self.profilers = []
        self.lock = threading.Lock()

    def start(self) -> None:
        """Profile the calling thread from now on (also an executor's `initializer`)."""
        from pyinstrument import Profiler
        from pyinstrument.stack_sampler import get_stack_sampler

        get_stack_sampler().timer_func = time.thread_time
        profiler = Profiler(interval=self.interval, async_mode="disabled")
        profiler.start()
        with self.lock:
            self.profilers.append(profiler)

    def session(self):
        """Every thread's samples so far in one session (aggregate views only)."""
        from pyinstrument.session import Session

        sessions = []
        for profiler in self.profilers:
            active = profiler._active_session
            records = list(active.frame_records)
            sessions.append(
                Session(
                    frame_records=records,
                    start_time=active.start_time,
                    duration=sum(seconds for _, seconds in records),
                    min_interval=active.interval,
                    max_interval=active.interval,
                    sample_count=len(records),
                    target_description="practice turns over one socket, every thread, CPU time",
                    start_call_stack=active.start_call_stack,
                    cpu_time=sum(seconds for _, seconds in records),
                    sys_path=sys.path,
                    sys_prefixes=Session.current_sys_prefixes(),
                )
            )
        combined = sessions[0]
        for other in sessions[1:]:
            combined = Session.combine(combined, other)
        return combined


class Counts:
    """Statements to PostgreSQL, commands to Redis (cache and channel layer) and hops to a worker thread."""

    def __init__(self):
        import collections

        self.counter = collections.Counter()

    def install(self) -> None:
        import asgiref.sync
        import redis.asyncio.client
        import redis.client
        from django.db.backends.signals import connection_created

        counter = self.counter

        def statement(execute, sql, params, many, context):
            counter["sql " + sql.split(None, 1)[0].upper()] += 1
            return execute(sql, params, many, context)

        def created(sender, connection, **kwargs):
            connection.execute_wrappers.append(statement)

        connection_created.connect(created, weak=False)

        def counting(cls, method, label, arg=None):
            original = getattr(cls, method)
            if asyncio.iscoroutinefunction(original):

                async def wrapper(self, *args, **kwargs):
                    counter[label + (f" {args[0]}" if arg is not None and args else "")] += 1
                    return await original(self, *args, **kwargs)
            else:

                def wrapper(self, *args, **kwargs):
                    counter[label + (f" {args[0]}" if arg is not None and args else "")] += 1
                    return original(self, *args, **kwargs)

            setattr(cls, method, wrapper)

        counting(redis.client.Redis, "execute_command", "cache", arg=True)
        counting(redis.client.Pipeline, "execute", "cache pipeline")
        counting(redis.asyncio.client.Redis, "execute_command", "layer", arg=True)
        counting(redis.asyncio.client.Pipeline, "execute", "layer pipeline")
        counting(asgiref.sync.SyncToAsync, "__call__", "thread hop")

    def print(self, turns: int) -> None:
        for key, count in sorted(self.counter.items()):
            print(f"  {count / turns:6.2f} {key}")


async def turns_run(token: str, session_id: str, turns: int, profiles: ThreadProfiles | None, counts) -> float:
    """Send the turns; the process CPU seconds they cost (the profiled ones only when profiling)."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from conversations.services import replies

    page = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    socket = WebsocketCommunicator(application, f"/ws/?token={token}", headers=page)
    connected, _ = await socket.connect()
    assert connected, "the socket was refused"

    async def turn(n: int) -> None:
        await socket.send_json_to(
            {
                "type": "user_message",
                "session_id": session_id,
                "content": SENTENCES[n % 2],
                "client_id": f"profile-{time.time_ns()}",
            }
        )
        while (await socket.receive_json_from(timeout=30))["type"] != "ai.message":
            continue
        while replies._background:
            await asyncio.wait(list(replies._background))
        while not await socket.receive_nothing(timeout=0.1):
            await socket.receive_output()

    for n in range(5):  # warm: imports, connections, the tagger
        await turn(n)
    if counts is not None:
        counts.counter.clear()
    if profiles is not None:
        profiles.start()
    started = time.process_time()
    for n in range(5, 5 + turns):
        await turn(n)
    spent = time.process_time() - started
    await socket.disconnect()
    return spent


def harness_run(args, *, name: str, unit: str, how_many: int, users: tuple[int, int], run) -> None:
    """The in-process harness for one kind of request: `run(tokens, sessions, profiles, counts)` on a
    fresh event loop, then the process CPU per `unit`, what a `unit` asks (--count) and the profile."""
    os.environ.update(server_env(args.database, args.redis_url))
    os.environ["CHANNEL_LAYER_PREFIX"] = os.environ["CACHE_KEY_PREFIX"] = f"bench-{name}-{os.getpid()}"
    os.environ["MESSAGE_RATE"] = "1000000/10s"  # one client sends far faster than a person
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    database_create(args.database)
    tokens, sessions = users_prepare(*users)

    import concurrent.futures

    from config import db

    counts = Counts() if args.count else None
    if counts is not None:
        counts.install()
    profiles = ThreadProfiles(interval=0.0002) if not args.no_profile else None
    loop = asyncio.new_event_loop()
    if profiles is not None:
        # Every worker thread profiles itself from its start: the database pool and the default executor.
        db._executor._initializer = profiles.start
        loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(initializer=profiles.start))
    spent = loop.run_until_complete(run(tokens, sessions, profiles, counts))
    state = "on" if profiles else "off"
    print(f"{how_many} x {unit}: {spent * 1000 / how_many:.2f} ms of process CPU a {unit} (profiling {state})")
    if counts is not None:
        print(f"a {unit} asks, on average:")
        counts.print(how_many)
    if profiles is None:
        return
    session = profiles.session()
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer

    print(ConsoleRenderer(unicode=True, color=False, short_mode=False, show_all=False).render(session))
    if getattr(args, "json", ""):
        session.save(args.json)
    if args.html:
        Path(args.html).write_text(HTMLRenderer().render(session))
        print(f"written {args.html}")


def main(args) -> None:
    def run(tokens, sessions, profiles, counts):
        return turns_run(tokens[0], sessions[0], args.turns, profiles, counts)

    harness_run(args, name="profile", unit="turn", how_many=args.turns, users=(1, 1), run=run)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=100)
    parser.add_argument("--html", default="")
    parser.add_argument("--json", default="")
    parser.add_argument("--count", action="store_true", help="count statements, Redis commands and thread hops a turn")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU per turn, without the profiler's cost")
    parser.add_argument("--database", default="parley_bench_sockets")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5?socket_timeout=15")
    main(parser.parse_args())
