"""What a process's delivery timer costs: one flush of many users' DM receipts.

Each round stores one DM to each of `--users` people (from as many senders), then records their
deliveries as the timer of `conversations.consumers.Deliveries` does: one `database_async` call of
`receipts_delivered_all`, its receipts sent through the channel layer once it returns. Prints the
wall time and the process CPU of a flush, medians over `--rounds`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parley_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        python bench/receipts.py [--users 50] [--rounds 20]
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.update({"DEBUG": "0", "SECRET_KEY": "bench-receipts-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1"})

import django  # noqa: E402

django.setup()


def main(args) -> None:
    from accounts.models import User
    from config.db import database_async
    from conversations.services import messaging

    run = uuid.uuid4().hex[:6]
    people = User.objects.bulk_create(
        [
            User(username=f"receipts-{run}-{i}", email=f"receipts-{run}-{i}@example.com", password="!")
            for i in range(2 * args.users)
        ]
    )
    pairs = list(zip(people[: args.users], people[args.users :], strict=True))
    flush = database_async(messaging.receipts_delivered_all)
    wall, cpu = [], []
    for _ in range(args.rounds):
        seen = []
        for sender, recipient in pairs:
            message, _ = messaging.message_send(sender=sender, to=str(recipient.id), content="hello")
            seen.append((recipient, {str(message.conversation_id): (message.seq, str(sender.id))}))
        started, started_cpu = time.perf_counter(), time.process_time()
        asyncio.run(flush(seen=seen))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    print(
        f"a flush of {args.users} users' DM receipts: wall {statistics.median(wall) * 1000:.1f} ms, "
        f"CPU {statistics.median(cpu) * 1000:.1f} ms (medians of {args.rounds})"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    main(parser.parse_args())
