"""Practice-session figures: prompt size on a long session and the socket's own overhead.

Run from the repository root: `python bench/session.py [--turns 50] [--socket-turns 30]`.

1. Prompt tokens: a 50-turn session on the offline partner; on the last turn, the tokens of the
   prompt Parley sends (persona + template + running summary + recent window) versus a prompt
   carrying the whole history. Target: at most 30%.
2. Socket overhead, on loopback with daphne in a subprocess and the real openai SDK pointed at the
   local fake provider: ack latency (user_message sent -> ack received) and the time from the
   provider writing its first token to the client receiving the first `ai.delta`. Target: under
   5 ms at the median.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.processes import daphne_start, free_port, port_wait  # noqa: E402
from conversations.tests.fake_provider import FakeProvider, Scripted  # noqa: E402

SENTENCES = [
    "きのう ともだちと えいがを みました。",
    "わたしは まいにち にほんごを べんきょうします。",
    "しゅうまつに きょうとへ いきたいです。",
    "ラーメンが だいすきです。",
    "しごとは エンジニアです。",
]


def django_setup(env: dict) -> None:
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_templates", verbosity=0)


def prompt_sizes(turns: int) -> tuple[int, int]:
    """Tokens of the last turn's prompt as sent, and as it would be with the whole history."""
    from asgiref.sync import async_to_sync

    from accounts.models import User
    from ai import Turn
    from ai.providers.offline import estimate_tokens
    from conversations.models import Message
    from conversations.services import context
    from conversations.services.replies import reply_generate
    from conversations.services.sessions import session_start, turn_submit
    from partner import prompts

    user = User.objects.create_user("bench-prompt@example.com", "bench-password-1")
    session = session_start(user=user, mode="language", language="japanese", level="beginner", template="casual")
    for n in range(turns - 1):
        turn = turn_submit(session=session, content=SENTENCES[n % len(SENTENCES)], client_id=f"p{n}")
        async_to_sync(reply_generate)(
            session_id=session.id, user_message_id=turn.user_message.id, ai_message_id=turn.ai_message.id
        )
    session.refresh_from_db()
    last = "さいごの しつもんです。"
    request = context.reply_request_build(session=session, user_text=last, before_seq=10**9)
    history = [
        Turn(role=m.role, content=m.content)
        for m in Message.objects.filter(conversation=session.conversation, role__in=["user", "assistant"]).order_by(
            "seq"
        )
    ]
    whole = request.model_copy(update={"summary": "", "recent_turns": history})

    if "--show" in sys.argv:
        for m in prompts.reply_messages(request):
            print(m["role"], estimate_tokens(str(m["content"])), str(m["content"])[:3000])

    def tokens(req) -> int:
        return sum(estimate_tokens(str(m["content"])) for m in prompts.reply_messages(req))

    return tokens(request), tokens(whole)


async def socket_overhead(base_url: str, token: str, session_id: str, server: FakeProvider, n: int):
    import aiohttp

    acks, first_deltas = [], []
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{base_url}/ws/?token={token}", origin=base_url) as ws,
    ):
        for i in range(n):
            server.first_chunk_at.clear()
            sent = time.time()
            await ws.send_str(
                json.dumps(
                    {"type": "user_message", "session_id": session_id, "content": "こんにちは", "client_id": f"s{i}"}
                )
            )
            first_delta = None
            while True:
                frame = json.loads((await ws.receive(timeout=10)).data)
                now = time.time()
                if frame["type"] == "ack":
                    acks.append((now - sent) * 1000)
                elif frame["type"] == "ai.delta" and first_delta is None:
                    first_delta = now
                elif frame["type"] == "ai.message":
                    break
                elif frame["type"] == "error":
                    raise RuntimeError(frame)
            first_deltas.append((first_delta - server.first_chunk_at[0]) * 1000)
            # let the follow-up analysis finish so turns do not overlap
            while True:
                try:
                    await ws.receive(timeout=0.3)
                except TimeoutError:
                    break
    return acks, first_deltas


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--socket-turns", type=int, default=30)
    parser.add_argument("--show", action="store_true", help="print the last prompt")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="parley-bench-")
    server = FakeProvider()
    server.start()
    server.responder = lambda body: (
        Scripted(text=json.dumps({"findings": [], "items": [], "summary": "s"}))
        if body.get("response_format")
        else Scripted(text="そうですか。 いいですね。 もっと おしえて ください。")
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "LOG_LEVEL": "ERROR",
        "LLM_USER_RATE": "1000000",
        "LLM_DAILY_TOKEN_BUDGET": "1000000000",
    }
    django_setup(env)

    sent, whole = prompt_sizes(args.turns)
    print(f"prompt tokens on turn {args.turns}: {sent} sent vs {whole} with the whole history = {sent / whole:.0%}")

    from accounts.models import User
    from accounts.services import tokens_for
    from conversations.services.sessions import session_start

    user = User.objects.create_user("bench-socket@example.com", "bench-password-1")
    session = session_start(user=user, mode="language", language="japanese", level="beginner", template="casual")
    port = free_port()
    daphne = daphne_start(
        port,
        {
            **env,
            "LLM_PROVIDER": "openai",
            "OPENAI_API_KEY": "sk-bench",
            "LLM_BASE_URL": server.url,
            "LLM_MODEL": "fake-model",
        },
    )
    try:
        port_wait(port)
        acks, deltas = asyncio.run(
            socket_overhead(
                f"http://127.0.0.1:{port}", tokens_for(user=user)["token"], str(session.id), server, args.socket_turns
            )
        )
    finally:
        daphne.terminate()
        daphne.wait(10)
        server.stop()
    q = statistics.quantiles
    print(
        f"ack latency over {len(acks)} turns: median {statistics.median(acks):.2f} ms, p90 {q(acks, n=10)[-1]:.2f} ms"
    )
    print(
        f"provider first token -> client first ai.delta: median {statistics.median(deltas):.2f} ms, "
        f"p90 {q(deltas, n=10)[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
