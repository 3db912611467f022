"""Where a direct message's CPU goes: pyinstrument over every thread, two sockets, one DM at a time.

Run from the repository root (PostgreSQL and Redis on their local defaults):

    python bench/dm_profile.py [--messages 300] [--count] [--no-profile] [--html out.html]

The production settings in this process, as bench/turn_profile.py: one user's socket sends
`--messages` DMs to another user one after another, each waited for until the sender has its ack,
the recipient its `message` frame and the sender the delivery receipt (written at once, as when
DMs are a second or more apart, as in bench/messaging.py's paced runs). The
profile is every thread's CPU (`time.thread_time`); it prints the process CPU per DM first.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.turn_profile import harness_run  # noqa: E402


async def messages_run(tokens: list[str], messages: int, profiles, counts) -> float:
    """Send the DMs; the process CPU seconds they cost."""
    from channels.testing import WebsocketCommunicator
    from rest_framework_simplejwt.tokens import AccessToken

    from config.asgi import application
    from conversations import consumers

    # As in bench/messaging.py, where each user receives a DM every second or two: every delivery
    # gets its own receipt.
    consumers.DELIVERY_FLUSH_SECONDS = 0

    page = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]
    sender, receiver = (WebsocketCommunicator(application, f"/ws/?token={t}", headers=page) for t in tokens)
    for socket in (sender, receiver):
        connected, _ = await socket.connect()
        assert connected, "the socket was refused"
    to = str(AccessToken(tokens[1])["user_id"])

    async def frame(socket, kind: str) -> dict:
        while (payload := await socket.receive_json_from(timeout=30))["type"] != kind:
            continue
        return payload

    async def dm(n: int) -> None:
        await sender.send_json_to(
            {"type": "send_message", "to": to, "content": f"hello {n}", "client_id": f"p-{time.time_ns()}"}
        )
        await frame(sender, "ack")
        await frame(receiver, "message")
        await frame(sender, "receipt")

    for n in range(10):  # warm: imports, connections, the DM itself
        await dm(n)
    if counts is not None:
        counts.counter.clear()
    if profiles is not None:
        profiles.start()
    started = time.process_time()
    for n in range(messages):
        await dm(n)
    spent = time.process_time() - started
    for socket in (sender, receiver):
        await socket.disconnect()
    return spent


def main(args) -> None:
    def run(tokens, _sessions, profiles, counts):
        return messages_run(tokens, args.messages, profiles, counts)

    harness_run(args, name="dm-profile", unit="DM", how_many=args.messages, users=(2, 0), run=run)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--html", default="")
    parser.add_argument("--count", action="store_true", help="count statements, Redis commands and thread hops a DM")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU per DM, without the profiler's cost")
    parser.add_argument("--database", default="parley_thru2")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9?socket_timeout=15")
    main(parser.parse_args())
