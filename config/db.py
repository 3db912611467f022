"""Database work from async code (sockets, reply generation) on a bounded pool of threads.

channels' `database_sync_to_async` is thread-sensitive: every ORM call of a process queues for the
one thread it shares with all the others, so a busy socket server waits on that thread while
PostgreSQL sits idle. `database_async` runs the call on one of `DATABASE_THREADS` threads instead.
Each thread keeps its own connection (CONN_MAX_AGE), so a process holds at most that many
connections for this work, and tidies it after each call as channels does: a connection left in a
transaction, broken by an error or older than CONN_MAX_AGE is closed and reopened on the next use.

Two cases keep the old ways. On SQLite the calls go to channels' shared thread (one writer anyway,
and the test suite's in-memory database is not shared between threads). When a synchronous caller
waits on the call through async_to_sync (a REST view generating a reply), the call runs on the
caller's own thread and connection, which it leaves alone: the request owns that connection, and
closing it there would break the rest of the request.
"""

import functools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar

from asgiref.sync import AsyncToSync, SyncToAsync, sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

# A connection that answered less than this long ago is not pinged again before the next call
# (CONN_HEALTH_CHECKS would cost a `SELECT 1` per call); one that sat idle longer is. If the
# database restarted within that second, the call fails once and its connection is replaced.
FRESH_SECONDS = 1.0

_local = threading.local()
_executor = ThreadPoolExecutor(max_workers=settings.DATABASE_THREADS, thread_name_prefix="database")


def _shared() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


class _Pooled(SyncToAsync):
    def __init__(self, func):
        super().__init__(func, thread_sensitive=False, executor=_executor)

    def thread_handler(self, loop, *args, **kwargs):
        if time.monotonic() - getattr(_local, "used_at", 0.0) < FRESH_SECONDS:
            for connection in connections.all(initialized_only=True):
                if connection.connection is not None:
                    connection.health_check_done = True
        else:
            close_old_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            close_old_connections()
            _local.used_at = time.monotonic()


# Coroutines a call running under database_async asked the event loop to await once it returns.
_after_return: ContextVar[list | None] = ContextVar("database_async_after_return", default=None)


def after_return(coroutine_function, *args) -> bool:
    """From inside a call that database_async runs: await `coroutine_function(*args)` on the event loop
    once the call returns, in the order asked, rather than hopping back to the loop from the thread
    now (async_to_sync), which holds the thread and costs a second hop. False outside such a call:
    the caller then does the work itself."""
    pending = _after_return.get()
    if pending is None:
        return False
    pending.append((coroutine_function, args))
    return True


def database_async(func):
    """`func` (sync, using the ORM) as a coroutine function that runs it off the event loop."""
    pooled = _Pooled(func)
    shared = database_sync_to_async(func)
    callers = sync_to_async(func)

    @functools.wraps(func)
    async def call(*args, **kwargs):
        if getattr(AsyncToSync.executors, "current", None) is not None:
            return await callers(*args, **kwargs)
        pending = []
        outer = _after_return.get()
        _after_return.set(pending)
        try:
            return await (shared if _shared() else pooled)(*args, **kwargs)
        finally:
            _after_return.set(outer)
            # Even when the call raised: what it asked for describes work it committed.
            for coroutine_function, args in pending:
                await coroutine_function(*args)

    return call


def database_threads_close() -> None:
    """Close the connections of every database thread (before the test database is dropped)."""
    workers = settings.DATABASE_THREADS
    # Each task waits for all the others, so each runs on a thread of its own and every thread is reached.
    barrier = threading.Barrier(workers)

    def close() -> None:
        barrier.wait(timeout=10)
        connections.close_all()

    for future in [_executor.submit(close) for _ in range(workers)]:
        future.result()
    # and channels' one shared thread, which database_sync_to_async still uses (tests, the assistant)
    SyncToAsync.single_thread_executor.submit(connections.close_all).result()
