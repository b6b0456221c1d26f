"""A local OpenAI-compatible HTTP server for tests: real sockets, the real ``openai`` client.

Each POST to ``/v1/chat/completions`` takes the next scripted :class:`Reply` (the last one
repeats), or asks ``responder(body)`` for one. Every request is recorded (body and headers)
so tests can check what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str | None = None
    """The assistant message's content (a JSON text, or anything for malformed tests)."""
    status: int = 200
    error: str = ""
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    usage: tuple[int, int] = (1200, 80)
    trickle_s: float = 0.0
    """Send the body one byte every ``trickle_s`` seconds (a server that never times out a
    read but never finishes either)."""


def answer(rule: dict[str, Any] | None = None, *, refusal: str | None = None,
           unmapped: list[str] | None = None, assumptions: list[str] | None = None) -> str:
    """An Answer JSON text as a strict-mode model writes it."""
    return json.dumps({"status": "refusal" if refusal else "rule", "reason": refusal,
                       "rule": rule, "unmapped": unmapped or [],
                       "assumptions": assumptions or []}, ensure_ascii=False)


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]


class FakeOpenAI:
    def __init__(self, replies: list[Reply] | None = None,
                 responder: Callable[[dict[str, Any]], Reply] | None = None) -> None:
        self.replies = list(replies or [])
        self.responder = responder
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            if self.responder is not None:
                return self.responder(body)
            if len(self.replies) > 1:
                return self.replies.pop(0)
            return self.replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with fake._lock:
                    fake.requests.append(Recorded(body, {k.lower(): v for k, v in self.headers.items()}))
                if not self.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": "not found"}})
                reply = fake._next(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    return self._send(reply.status, {"error": {
                        "message": reply.error or "error", "type": "invalid_request_error",
                        "code": None}}, reply.headers)
                p, c = reply.usage
                self._send(200, {
                    "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {
                        "role": "assistant", "content": reply.content,
                        "refusal": reply.refusal}}],
                    "usage": {"prompt_tokens": p, "completion_tokens": c,
                              "total_tokens": p + c}}, reply.headers, reply.trickle_s)

            def _send(self, status: int, payload: dict[str, Any],
                      headers: dict[str, str] | None = None, trickle: float = 0.0) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    if not trickle:
                        self.wfile.write(data)
                    for i in range(len(data) if trickle else 0):
                        self.wfile.write(data[i:i + 1])
                        self.wfile.flush()
                        time.sleep(trickle)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out
                    pass

        return Handler


@contextmanager
def fake_openai(replies: list[Reply] | None = None,
                responder: Callable[[dict[str, Any]], Reply] | None = None
                ) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(replies, responder).start()
    try:
        yield server
    finally:
        server.stop()
