"""Spoken replies: time to the first audio byte, CPU per reply, a cached replay, bytes per second.

Run from the repository root: `python bench/voice.py [--replies 12]`.

daphne serves the embedded defaults in a subprocess; each of N different three-sentence Japanese
partner replies is fetched once from `/api/v1/messages/{id}/audio` (synthesised, Ogg Opus) and
once again (the cached replay). The baseline, measured in the same run against the same server,
is `GET /api/v1/auth/me`: the floor of a signed-in request. Target: first byte under 300 ms.
"""

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import cpu_seconds, daphne_start, free_port, port_wait  # noqa: E402

# Three sentences a beginner partner would say; each reply differs so none comes from the cache.
OPENINGS = ["こんにちは。", "はじめまして。", "おはよう ございます。", "こんばんは。"]
MIDDLES = ["きょうは いい てんきですね。", "わたしは きょうとに すんで います。", "コーヒーが すきです。"]
QUESTIONS = ["どこへ いきますか。", "なにを たべたいですか。", "しゅうまつは なにを しますか。"]


def fetch(url: str, token: str) -> tuple[float, float, bytes]:
    """Milliseconds to the first body byte and to the last, and the body."""
    import httpx

    started = time.perf_counter()
    with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as response:
        response.raise_for_status()
        first = None
        body = bytearray()
        for chunk in response.iter_raw():
            if first is None and chunk:
                first = time.perf_counter()
            body += chunk
    done = time.perf_counter()
    return (first - started) * 1000, (done - started) * 1000, bytes(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=12)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="parley-voice-bench-")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    call_command("seed_templates", verbosity=0)

    import soundfile

    from accounts.models import User
    from accounts.services import tokens_for
    from conversations.models import Message, MessageRole
    from conversations.services.sessions import session_start

    user = User.objects.create_user("bench-voice@example.com", "bench-password-1")
    session = session_start(user=user, mode="language", language="japanese", level="beginner", template="casual")
    lines = [f"{OPENINGS[n % 4]}{MIDDLES[n % 3]}{QUESTIONS[(n // 3) % 3]}" for n in range(args.replies)]
    messages = [
        Message.objects.create(conversation=session.conversation, role=MessageRole.ASSISTANT, content=line, seq=100 + n)
        for n, line in enumerate(lines)
    ]
    token = tokens_for(user=user)["token"]
    port = free_port()
    daphne = daphne_start(port, {**env, "LOG_LEVEL": "ERROR", "THROTTLE_RATE_USER": "100000/min"})
    base = f"http://127.0.0.1:{port}"
    try:
        port_wait(port)
        # Warm the process: the first request loads the speech engine and its dictionary.
        fetch(f"{base}/api/v1/messages/{messages[0].id}/audio?speed=0.75", token)
        baseline = [fetch(f"{base}/api/v1/auth/me", token)[1] for _ in range(args.replies)]
        firsts, totals, sizes, seconds = [], [], [], []
        cpu_before = cpu_seconds(daphne.pid)
        for message in messages:
            first, total, body = fetch(f"{base}/api/v1/messages/{message.id}/audio", token)
            samples, rate = soundfile.read(io.BytesIO(body))
            firsts.append(first)
            totals.append(total)
            sizes.append(len(body))
            seconds.append(len(samples) / rate)
        cpu = (cpu_seconds(daphne.pid) - cpu_before) / len(messages)
        replays = [fetch(f"{base}/api/v1/messages/{m.id}/audio", token)[1] for m in messages]
        slow = [fetch(f"{base}/api/v1/messages/{m.id}/audio?speed=0.75", token)[2] for m in messages[1:4]]
        slow_seconds = [len(s) / r for s, r in (soundfile.read(io.BytesIO(b)) for b in slow)]
    finally:
        daphne.terminate()
        daphne.wait(10)
    med = statistics.median
    print(f"baseline GET /api/v1/auth/me: median {med(baseline):.1f} ms")
    print(
        f"three-sentence reply, first audio byte: median {med(firsts):.1f} ms (max {max(firsts):.1f}); "
        f"whole file {med(totals):.1f} ms; over {len(messages)} replies"
    )
    print(f"server CPU per synthesised reply: {cpu * 1000:.0f} ms")
    print(f"cached replay, whole file: median {med(replays):.1f} ms")
    print(
        f"audio: median {med(seconds):.2f} s a reply, {med(sizes) / 1024:.1f} KiB, "
        f"{med(s / d for s, d in zip(sizes, seconds, strict=True)) / 1024:.1f} KiB per second; "
        f"at 0.75x the same replies last {med(slow_seconds) / med(seconds[1:4]):.2f}x as long"
    )


if __name__ == "__main__":
    main()
