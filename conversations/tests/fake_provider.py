"""A local fake LLM server speaking the OpenAI and Mistral chat completions wire formats, and
their speech (`/v1/audio/speech`) and transcription (`/v1/audio/transcriptions`) endpoints.

It runs an aiohttp app on a free loopback port in a background thread, so the real SDKs talk to
it over HTTP. Tests script what it answers next (`script(...)`) and read what it was sent
(`requests`). With nothing scripted it answers "Hello from the fake provider."
"""

import asyncio
import io
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

DEFAULT_TEXT = "Hello from the fake provider."


@dataclass
class Scripted:
    """One answer: plain text (streamed word by word when asked to stream) unless a failure is set."""

    text: str = DEFAULT_TEXT
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    # Sleep this long before answering (a hung provider).
    hang: float = 0.0
    # Stream this many chunks, then drop the connection without finishing.
    cut_after: int | None = None
    # Sleep this long between streamed chunks (a reply written slowly enough to watch, or to stop).
    pace: float = 0.0
    # A body that is not JSON at all.
    raw_body: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeProvider:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        # Wall-clock time each stream's first chunk was written, for latency benches across processes.
        self.first_chunk_at: list[float] = []
        self._queue: deque[Scripted] = deque()
        # Answers from the request body when nothing is scripted (a whole session's worth of calls).
        self.responder: Callable[[dict[str, Any]], Scripted] | None = None
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The base URL as the OpenAI SDK wants it; the Mistral adapter drops the /v1 itself."""
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *answers: Scripted) -> None:
        self._queue.extend(answers)

    def reset(self) -> None:
        self.responder = None
        self.first_chunk_at.clear()
        self._queue.clear()
        self.requests.clear()

    def _next(self, body: dict[str, Any]) -> Scripted:
        if self._queue:
            return self._queue.popleft()
        return self.responder(body) if self.responder else Scripted()

    def start(self) -> None:
        ready = threading.Event()
        thread = threading.Thread(target=self._serve, args=(ready,), daemon=True, name="fake-llm")
        thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake provider did not start")

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/audio/speech", self._speech)
        app.router.add_post("/v1/audio/transcriptions", self._transcription)
        self._runner = web.AppRunner(app, handler_cancellation=True)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = self._runner.addresses[0][1]
        ready.set()
        self._loop.run_forever()

    @staticmethod
    def _failure(answer: Scripted) -> web.Response:
        error = {"error": {"message": f"scripted {answer.status}", "type": "fake", "code": answer.status}}
        return web.json_response(error, status=answer.status, headers=answer.headers)

    async def _speech(self, request: web.Request) -> web.Response:
        """Ogg Opus of a quiet tone, a tenth of a second a character at speed 1, as real speech stretches."""
        import numpy
        import soundfile

        body = await request.json()
        self.requests.append({"body": body, "path": request.path})
        answer = self._next(body)
        if answer.hang:
            await asyncio.sleep(answer.hang)
        if answer.status != 200:
            return self._failure(answer)
        rate = 48_000
        seconds = max(0.2, len(body["input"]) * 0.1 / float(body.get("speed") or 1.0))
        tone = 0.1 * numpy.sin(numpy.arange(int(rate * seconds)) * 2 * numpy.pi * 220 / rate).astype("float32")
        out = io.BytesIO()
        soundfile.write(out, tone, rate, format="OGG", subtype="OPUS")
        return web.Response(body=out.getvalue(), content_type="audio/ogg")

    async def _transcription(self, request: web.Request) -> web.Response:
        """The scripted text as what was heard; the form (model, language, file size) is recorded."""
        form = await request.post()
        upload = form.get("file")
        body = {
            "model": form.get("model"),
            "language": form.get("language"),
            "file_bytes": len(upload.file.read()) if upload is not None else 0,
            "file_type": upload.content_type if upload is not None else None,
        }
        self.requests.append({"body": body, "path": request.path})
        answer = self._next(body)
        if answer.hang:
            await asyncio.sleep(answer.hang)
        if answer.status != 200:
            return self._failure(answer)
        usage = {"prompt_tokens": 0, "completion_tokens": _tokens(answer.text), "total_tokens": _tokens(answer.text)}
        return web.json_response(
            {"text": answer.text, "model": body["model"], "language": body["language"], "usage": usage, "segments": []}
        )

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"body": body, "user_agent": request.headers.get("User-Agent", "")})
        answer = self._next(body)
        if answer.hang:
            await asyncio.sleep(answer.hang)
        if answer.status != 200:
            return self._failure(answer)
        if answer.raw_body is not None:
            return web.Response(text=answer.raw_body, content_type="application/json")
        prompt_tokens = sum(_tokens(str(m.get("content") or "")) for m in body.get("messages", []))
        if body.get("stream"):
            return await self._stream(request, body, answer, prompt_tokens)
        message: dict[str, Any] = {"role": "assistant", "content": answer.text}
        if answer.tool_calls:
            message["content"] = ""
            message["tool_calls"] = [
                {
                    "id": f"call_{i}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for i, c in enumerate(answer.tool_calls)
            ]
        return web.json_response(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {"index": 0, "message": message, "finish_reason": "tool_calls" if answer.tool_calls else "stop"}
                ],
                "usage": _usage(prompt_tokens, _tokens(answer.text)),
            }
        )

    async def _stream(
        self, request: web.Request, body: dict, answer: Scripted, prompt_tokens: int
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        words = answer.text.split(" ")
        pieces = [w + " " for w in words[:-1]] + [words[-1]]
        model = body.get("model", "fake")
        for i, piece in enumerate(pieces):
            if answer.cut_after is not None and i == answer.cut_after:
                # Drop the connection mid-stream, as a crashed provider or a broken network does.
                request.transport.close()
                return response
            if answer.pace and i:
                await asyncio.sleep(answer.pace)
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            await response.write(_sse(_chunk(model, delta, None)))
            if i == 0:
                self.first_chunk_at.append(time.time())
        # Mistral sends usage with the last chunk; OpenAI in an extra chunk when asked for it.
        openai_usage = (body.get("stream_options") or {}).get("include_usage")
        usage = _usage(prompt_tokens, len(pieces))
        await response.write(_sse(_chunk(model, {}, "stop", None if openai_usage else usage)))
        if openai_usage:
            await response.write(_sse({**_chunk(model, {}, None), "choices": [], "usage": usage}))
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _chunk(model: str, delta: dict, finish: str | None, usage: dict | None = None) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    if usage:
        chunk["usage"] = usage
    return chunk


def _sse(payload: dict) -> bytes:
    return f"data: {json.dumps(payload)}\n\n".encode()
