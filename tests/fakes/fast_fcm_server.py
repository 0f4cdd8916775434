"""A fake FCM HTTP v1 send endpoint built for throughput, so a fan-out benchmark measures the hub, not its double.

``tests.fakes.fcm_server`` (``http.server``, a thread per connection) tops out near 600 requests/s on the
development machine, below what the hub sends. This one is a single asyncio process speaking just enough
HTTP/1.1 (keep-alive, ``Content-Length`` bodies, what firebase-admin's ``requests`` session and httpx send) and
answers the way the real service and ``tests.fakes.fcm_server`` do: the same token prefixes (``dead-``,
``invalid-``, …, ``error_body``), the same success body, ``GET /_fake/stats`` (calls, accepted, tokens,
duplicates, max_in_progress), ``GET /_fake/timings`` (first and last accepted push, wall clock) and
``POST /_fake/reset``. It records counts only, never the messages: the behaviour tests keep using the recording
server. Given ``--service-account FILE`` it is Google's token endpoint too, as the recording server is
(``POST /token``: the JWT-bearer grant, checked against the account's key), and then accepts sends only with a
token it issued, so ``bench/push_fanout.py --fake fast`` runs firebase-admin exactly as in production.

    python -m tests.fakes.fast_fcm_server --port N [--delay-ms D] [--service-account FILE] [--no-record]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import signal
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

import jwt

from tests.fakes.fcm_server import (
    GOOGLE_TOKEN_AUDIENCE,
    JWT_BEARER_GRANT,
    MESSAGING_SCOPES,
    SEND_PATH,
    TOKEN_PATH,
    TOKEN_PREFIXES,
    _public_key_of,
    error_body,
)

_UNAUTHENTICATED = {"error": {"code": 401, "message": "Request had invalid credentials.", "status": "UNAUTHENTICATED"}}

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

    def __init__(self, service_account: dict[str, Any] | None = None) -> None:
        self.in_progress = 0
        self.service_account = service_account
        self.issued_tokens: set[str] = set()
        self.reset()

    def reset(self) -> None:
        self.calls = 0
        self.accepted: collections.Counter[str] = collections.Counter()
        self.max_in_progress = self.in_progress
        self.first_accepted_at: float | None = None
        self.last_accepted_at: float | None = None

    def timings(self) -> dict[str, float | None]:
        return {"first_accepted_at": self.first_accepted_at, "last_accepted_at": self.last_accepted_at}

    def authorized(self, authorization: str) -> bool:
        if self.service_account is None:
            return True
        scheme, _, bearer = authorization.partition(" ")
        return scheme == "Bearer" and bearer in self.issued_tokens

    def issue_token(self, raw: bytes) -> tuple[int, dict]:
        """Google's token endpoint for the JWT-bearer grant, checked as ``tests.fakes.fcm_server`` checks it."""
        account = self.service_account
        if account is None:
            return 404, _NOT_FOUND
        form = urllib.parse.parse_qs(raw.decode())
        if form.get("grant_type") != [JWT_BEARER_GRANT] or len(form.get("assertion", [])) != 1:
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        try:
            claims = jwt.decode(
                form["assertion"][0],
                _public_key_of(account["private_key"]),
                algorithms=["RS256"],
                audience=GOOGLE_TOKEN_AUDIENCE,
                issuer=account["client_email"],
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            return 400, {"error": "invalid_grant", "error_description": f"Invalid JWT: {error}"}
        if not MESSAGING_SCOPES & set(str(claims.get("scope", "")).split()):
            return 400, {"error": "invalid_scope", "error_description": "The messaging scope was not asked for."}
        access_token = f"ya29.fake-{uuid.uuid4().hex}"
        self.issued_tokens.add(access_token)
        return 200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"}

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
        self.last_accepted_at = time.time()
        self.first_accepted_at = self.first_accepted_at or self.last_accepted_at
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
            length, authorization = 0, ""
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value.strip())
                elif name == "authorization":
                    authorization = value.strip()
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            self._respond(*self._route(method, path, body, authorization))

    def _route(self, method: str, path: str, body: bytes, authorization: str = "") -> tuple[int, dict]:
        if method == "GET" and path == "/_fake/stats":
            return 200, self.counts.stats()
        if method == "GET" and path == "/_fake/timings":
            return 200, self.counts.timings()
        if method == "POST" and path == TOKEN_PATH:
            return self.counts.issue_token(body)
        if method == "POST" and path == "/_fake/reset":
            self.counts.reset()
            return 200, {}
        match = SEND_PATH.match(path)
        if method != "POST" or not match:
            return 404, _NOT_FOUND
        if not self.counts.authorized(authorization):
            return 401, _UNAUTHENTICATED
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


async def serve(host: str, port: int, delay: float, service_account: dict[str, Any] | None = None) -> None:
    counts = Counts(service_account)
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
    parser.add_argument("--service-account", type=Path, help="be the token endpoint for this account's file")
    parser.add_argument("--no-record", action="store_true", help="accepted for the recording server's command line")
    args = parser.parse_args(argv)
    account = json.loads(args.service_account.read_text()) if args.service_account else None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.delay_ms / 1000, account))


if __name__ == "__main__":
    main()
