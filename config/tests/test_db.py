"""config.db: where database work from async code runs, how its connections are kept, and the
work a call leaves for the event loop."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection, transaction

from accounts.models import User
from config.db import after_return, database_async

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite keeps channels' one shared thread")


def where() -> tuple[str, int]:
    """The thread a call ran on and its database session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if ON_POSTGRESQL else "SELECT 1")
        return threading.current_thread().name, cursor.fetchone()[0]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
async def test_calls_run_in_parallel_on_a_bounded_pool_of_threads():
    def slow() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.2)")
        return where()

    started = asyncio.get_running_loop().time()
    results = await asyncio.gather(*(database_async(slow)() for _ in range(2 * settings.DATABASE_THREADS)))
    elapsed = asyncio.get_running_loop().time() - started

    names = {name for name, _ in results}
    assert all(name.startswith("database") for name in names)
    assert len(names) == settings.DATABASE_THREADS
    # two rounds of the pool (three at most), not every call one after another on a single thread
    assert elapsed < 0.2 * 3 < 0.2 * 2 * settings.DATABASE_THREADS


async def on_every_thread(func) -> list:
    """`func` once on each database thread: each call lasts long enough for all of them to be busy."""

    def held():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.1)")
        return func()

    return await asyncio.gather(*(database_async(held)() for _ in range(settings.DATABASE_THREADS)))


@needs_postgresql
@pytest.mark.django_db(transaction=True)
async def test_a_thread_keeps_its_connection_but_not_a_transaction_left_open():
    def leave_a_transaction_open() -> tuple[str, int]:
        transaction.set_autocommit(False)
        return where()

    def check() -> tuple[str, int, bool]:
        return (*where(), connection.get_autocommit())

    # every thread starts on a new connection: one an earlier test opened could reach CONN_MAX_AGE
    # between the two calls below and be replaced, as it should be
    await on_every_thread(lambda: connection.close())
    # each thread keeps its connection from one call to the next
    first = dict(await on_every_thread(where))
    assert dict(await on_every_thread(where)) == first
    # a call that leaves a transaction open loses its connection: no later call inherits it
    name, pid = await database_async(leave_a_transaction_open)()
    after = await on_every_thread(check)
    assert all(autocommit for _, _, autocommit in after)
    assert name in {thread for thread, _, _ in after} and pid not in {session for _, session, _ in after}


@pytest.mark.django_db
def test_a_synchronous_caller_keeps_its_thread_and_connection(user):
    # As a REST view does when it generates a reply through async_to_sync: inside the view's
    # transaction (the test's), the call must see its rows and leave its connection alone.
    def read() -> tuple[str, bool]:
        return threading.current_thread().name, User.objects.filter(id=user.id).exists()

    name, seen = async_to_sync(database_async(read))()

    assert name == threading.current_thread().name and seen
    assert connection.connection is not None and User.objects.filter(id=user.id).exists()


@pytest.mark.django_db(transaction=True)
async def test_work_left_for_the_event_loop_runs_after_the_call_in_order_even_when_it_fails():
    done = []

    async def note(label: str) -> None:
        done.append((label, threading.current_thread() is threading.main_thread()))

    def call(fail: bool) -> str:
        assert after_return(note, "first") and after_return(note, "second")
        if fail:
            raise ValueError("after committing its work")
        return "result"

    assert await database_async(call)(False) == "result"
    with pytest.raises(ValueError):
        await database_async(call)(True)

    assert done == [("first", True), ("second", True)] * 2
    assert after_return(note, "outside a call") is False
