"""A fake FCM HTTP v1 send endpoint built for throughput, so a fan-out benchmark measures the hub, not its double.

``tests.fakes.fcm_server`` (``http.server``, a thread per connection) tops out near 600 requests/s on the
development machine, below what the hub sends. This one is a single asyncio process speaking just enough
HTTP/1.1 (keep-alive, ``Content-Length`` bodies, what firebase-admin's ``requests`` session and httpx send) and
answers the way the real service and ``tests.fakes.fcm_server`` do: the same token prefixes (``dead-``,
``invalid-``, …, ``error_body``), the same success body, ``GET /_fake/stats`` (calls, accepted, tokens,
duplicates, max_in_progress) and ``POST /_fake/reset``. It records counts only, never the messages: the
behaviour tests keep using the recording server.

    python -m tests.fakes.fast_fcm_server --port N [--delay-ms D]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import signal
import time
import uuid

from tests.fakes.fcm_server import SEND_PATH, TOKEN_PREFIXES, error_body

_NOT_FOUND = {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Counts:
    """What the server answered; ``max_in_progress`` is the most connections open at once."""

    def __init__(self) -> None:
        self.in_progress = 0
        self.reset()

    def reset(self) -> None:
        self.calls = 0
        self.accepted: collections.Counter[str] = collections.Counter()
        self.max_in_progress = self.in_progress

    def stats(self) -> dict[str, int]:
        return {
            "calls": self.calls,
            "accepted": sum(self.accepted.values()),
            "tokens": len(self.accepted),
            "duplicates": sum(count - 1 for count in self.accepted.values() if count > 1),
            "max_in_progress": self.max_in_progress,
        }

    def answer(self, project: str, raw: bytes) -> tuple[int, dict]:
        try:
            message = json.loads(raw or b"{}").get("message")
        except (ValueError, AttributeError):
            message = None
        token = message.get("token") if isinstance(message, dict) else None
        if not token:
            return error_body("INVALID_MESSAGE")
        self.calls += 1
        for prefix, code in TOKEN_PREFIXES.items():
            if token.startswith(prefix):
                return error_body(code)
        self.accepted[token] += 1
        return 200, {"name": f"projects/{project}/messages/{int(time.time() * 1000)}{uuid.uuid4().hex[:8]}"}


class _Connection(asyncio.Protocol):
    def __init__(self, counts: Counts, delay: float) -> None:
        self.counts, self.delay = counts, delay
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.counts.in_progress += 1
        self.counts.max_in_progress = max(self.counts.max_in_progress, self.counts.in_progress)

    def connection_lost(self, exc) -> None:
        self.counts.in_progress -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            method, path = head[0].split(" ")[:2]
            length = 0
            for line in head[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self._respond(*self._route(method, path, body))

    def _route(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        if method == "GET" and path == "/_fake/stats":
            return 200, self.counts.stats()
        if method == "POST" and path == "/_fake/reset":
            self.counts.reset()
            return 200, {}
        match = SEND_PATH.match(path)
        if method != "POST" or not match:
            return 404, _NOT_FOUND
        return self.counts.answer(match["project"], body)

    def _respond(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json; charset=UTF-8\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        ).encode()
        if self.delay:
            asyncio.get_running_loop().call_later(self.delay, self._write, head + payload)
        else:
            self._write(head + payload)

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)


async def serve(host: str, port: int, delay: float) -> None:
    counts = Counts()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(counts, delay), host, port, backlog=2048)
    stopped = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopped.set)
    print(f"fake FCM listening on http://{host}:{server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await stopped.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0, help="hold each answer this long")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.delay_ms / 1000))


if __name__ == "__main__":
    main()
