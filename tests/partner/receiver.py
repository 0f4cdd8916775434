"""A real local HTTP receiver for signed callbacks, as an agency would run one: it records each request's raw body
and headers and answers from a script (``answers``: status codes to give in turn, then 204; ``"slow"`` sleeps past
the hub's timeout)."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclasses.dataclass
class Received:
    body: bytes
    headers: dict[str, str]


class Receiver:
    def __init__(self, answers: list) -> None:
        self.answers = list(answers)
        self.received: list[Received] = []
        self.url = ""

    def next_answer(self):
        return self.answers.pop(0) if self.answers else 204


@contextlib.contextmanager
def callback_receiver(answers: list | None = None, *, slow_seconds: float = 2.0) -> Iterator[Receiver]:
    receiver = Receiver(answers or [])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.received.append(Received(body, {k.lower(): v for k, v in self.headers.items()}))
            answer = receiver.next_answer()
            if answer == "slow":
                time.sleep(slow_seconds)
                answer = 204
            self.send_response(answer)
            if answer == 429:
                self.send_header("Retry-After", "120")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_port}/hub-callbacks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        thread.join(timeout=5)
