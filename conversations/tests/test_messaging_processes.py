"""Real servers and real concurrency: daphne subprocesses with real websocket clients, racing threads."""

import asyncio
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
from django.conf import settings
from django.db import connection, connections
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from conversations.models import Conversation, ConversationKind, Message
from conversations.services import messaging

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


def person(username: str) -> User:
    return User.objects.create(username=username, email=f"{username}@example.com", password="!")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url_for_subprocess(tmp_path) -> str:
    """The test database as a URL another process can open (SQLite's in-memory one is copied to a file)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{path}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def daphne(port: int, database_url: str, prefix: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "1",
        "CHANNEL_LAYER_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
    }
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"]
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"daphne did not listen on {port}")


async def next_frame(ws, kind: str, timeout: float = 5) -> dict:
    while True:
        frame = await ws.receive_json(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def exchange(sender_port: int, receiver_port: int, sender: User, receiver: User) -> tuple[dict, dict]:
    async with aiohttp.ClientSession() as session:
        receiving = await session.ws_connect(
            f"ws://127.0.0.1:{receiver_port}/ws/?token={AccessToken.for_user(receiver)}",
            origin=f"http://127.0.0.1:{receiver_port}",
        )
        sending = await session.ws_connect(
            f"ws://127.0.0.1:{sender_port}/ws/?token={AccessToken.for_user(sender)}",
            origin=f"http://127.0.0.1:{sender_port}",
        )
        await sending.send_json(
            {"type": "send_message", "to": str(receiver.id), "content": "across processes", "client_id": "x1"}
        )
        ack = await next_frame(sending, "ack")
        message = await next_frame(receiving, "message")
        await asyncio.gather(sending.close(), receiving.close())
        return ack, message


def test_a_message_sent_through_one_daphne_reaches_a_socket_on_another(tmp_path):
    # given two people and, with Redis, two server processes sharing it (the in-memory layer
    # exists only inside one process, so without Redis both sockets use the same one)
    sender, receiver = person("sender"), person("receiver")
    database_url = database_url_for_subprocess(tmp_path)
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    ports = [free_port(), free_port()] if settings.REDIS_URL else [free_port()]
    logs = [tmp_path / f"daphne-{port}.log" for port in ports]
    servers = [daphne(port, database_url, prefix, log) for port, log in zip(ports, logs, strict=True)]
    try:
        for port, server, log in zip(ports, servers, logs, strict=True):
            wait_listening(port, server, log)
        # when the sender's socket (first server) sends to the receiver (last server)
        ack, message = asyncio.run(exchange(ports[0], ports[-1], sender, receiver))
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=2)
            except subprocess.TimeoutExpired:  # daphne may linger on its channel layer's blocking reads
                server.kill()
                server.wait()
    # then the receiver got the very message the sender was acked for
    assert message["message"]["id"] == ack["message_id"]
    assert message["message"]["content"] == "across processes"
    assert message["message"]["sender_id"] == str(sender.id)


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL")
def test_two_first_messages_at_the_same_moment_end_in_one_direct_conversation():
    alice, bob = person("alice"), person("bob")
    start = threading.Barrier(2)
    outcomes = {}

    def first_message(sender, recipient):
        try:
            start.wait()
            outcomes[sender.username] = messaging.message_send(sender=sender, to=recipient.id, content="hi")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_message, args=pair) for pair in ((alice, bob), (bob, alice))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    conversation = Conversation.objects.get(kind=ConversationKind.DIRECT)
    assert {message.conversation_id for message, _ in outcomes.values()} == {conversation.id}
    assert sorted(Message.objects.filter(conversation=conversation).values_list("seq", flat=True)) == [1, 2]


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL")
def test_messages_racing_in_one_direct_conversation_get_every_seq_once(settings):
    settings.MESSAGE_RATE = "1000/1s"
    alice, bob = person("alice"), person("bob")
    messaging.message_send(sender=alice, to=bob.id, content="first")
    start = threading.Barrier(4)
    failures = []

    def send(sender, recipient, n):
        try:
            start.wait()
            for i in range(n):
                messaging.message_send(sender=sender, to=recipient.id, content=f"{sender.username} {i}")
        except Exception as exc:  # reported below, with the seqs
            failures.append(exc)
        finally:
            connections.close_all()

    pairs = [(alice, bob), (bob, alice)] * 2
    threads = [threading.Thread(target=send, args=(*pair, 25)) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads)
    conversation = Conversation.objects.get(kind=ConversationKind.DIRECT)
    stored = list(Message.objects.filter(conversation=conversation).order_by("seq").values_list("seq", "created_at"))
    assert failures == [] and [seq for seq, _ in stored] == list(range(1, 102))
    # in the order of their seqs, whatever order the senders' clocks were read in
    times = [created_at for _, created_at in stored]
    assert times == sorted(times) and conversation.last_message_at == times[-1]
    assert conversation.next_seq == 102


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="needs PostgreSQL")
def test_one_message_resent_at_the_same_moment_from_four_tabs_is_stored_once():
    alice, bob = person("alice"), person("bob")
    messaging.message_send(sender=alice, to=bob.id, content="first")
    start = threading.Barrier(4)
    outcomes, failures = [], []

    def send():
        try:
            start.wait()
            outcomes.append(messaging.message_send(sender=alice, to=bob.id, content="once", client_id="tab-race"))
        except Exception as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not any(thread.is_alive() for thread in threads) and failures == []
    assert sorted(created for _, created in outcomes) == [False, False, False, True]
    assert len({message.id for message, _ in outcomes}) == 1
    conversation = Conversation.objects.get(kind=ConversationKind.DIRECT)
    assert list(Message.objects.filter(conversation=conversation).values_list("seq", flat=True)) == [1, 2]
    assert conversation.next_seq == 3
