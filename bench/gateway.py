"""What the gateway adds to a streamed reply: time to first delta and total, versus the bare SDK.

Run from the repository root: `python bench/gateway.py [--replies 50] [--runs 5]`. It starts the
fake provider on loopback, a temporary SQLite database (AIInteraction rows are written), and
streams the same replies through `reply_stream` and through `openai.AsyncOpenAI` directly.
Target: under 2 ms more to the first delta at the median and under 5% more in total.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.tests.fake_provider import FakeProvider, Scripted  # noqa: E402

WORDS = 60
TEXT = " ".join(f"word{i}" for i in range(WORDS))


def _setup(server: FakeProvider, db_path: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{db_path}",
        LLM_PROVIDER="openai",
        OPENAI_API_KEY="sk-bench",
        LLM_BASE_URL=server.url,
        LLM_MODEL="fake-model",
        LOG_LEVEL="ERROR",
        # Limits stay on (their cache checks are part of the cost) but high enough not to refuse.
        LLM_USER_RATE="1000000",
        LLM_DAILY_TOKEN_BUDGET="1000000000",
    )
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


async def _bare(server: FakeProvider, n: int) -> tuple[list[float], list[float]]:
    import openai

    client = openai.AsyncOpenAI(api_key="sk-bench", base_url=server.url, max_retries=0)
    firsts, totals = [], []
    for _ in range(n):
        started = time.perf_counter()
        first = None
        stream = await client.chat.completions.create(
            model="fake-model",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.perf_counter() - started
        totals.append(time.perf_counter() - started)
        firsts.append(first)
    await client.close()
    return firsts, totals


async def _gateway(user, n: int) -> tuple[list[float], list[float]]:
    from ai import Delta, ReplyRequest, reply_stream

    request = ReplyRequest(language="english", user_text="hi")
    firsts, totals = [], []
    for _ in range(n):
        started = time.perf_counter()
        first = None
        async for item in reply_stream(user=user, conversation=None, request=request):
            if first is None and isinstance(item, Delta):
                first = time.perf_counter() - started
        totals.append(time.perf_counter() - started)
        firsts.append(first)
    return firsts, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    server = FakeProvider()
    server.start()
    with tempfile.TemporaryDirectory() as tmp:
        _setup(server, os.path.join(tmp, "bench.sqlite3"))
        from accounts.models import User

        user = User.objects.create(email="bench@example.com", username="bench")
        results = {"bare": ([], []), "gateway": ([], [])}
        for _ in range(args.runs + 1):
            server.script(*[Scripted(text=TEXT)] * (2 * args.replies))
            bare = asyncio.run(_bare(server, args.replies))
            gateway = asyncio.run(_gateway(user, args.replies))
            for name, (firsts, totals) in (("bare", bare), ("gateway", gateway)):
                results[name][0].append(statistics.median(firsts))
                results[name][1].append(statistics.median(totals))
        server.stop()

    # The first run warms imports, connection pools and SQLite; it is not counted.
    bare_first, bare_total = (statistics.median(v[1:]) * 1000 for v in results["bare"])
    gw_first, gw_total = (statistics.median(v[1:]) * 1000 for v in results["gateway"])
    print(f"{args.replies} streamed replies of {WORDS} deltas, median of {args.runs} runs")
    print(f"first delta  bare {bare_first:7.3f} ms  gateway {gw_first:7.3f} ms  added {gw_first - bare_first:+.3f} ms")
    print(
        f"total        bare {bare_total:7.3f} ms  gateway {gw_total:7.3f} ms  "
        f"ratio {gw_total / bare_total:.3f} ({(gw_total / bare_total - 1) * 100:+.1f}%)"
    )


if __name__ == "__main__":
    main()
