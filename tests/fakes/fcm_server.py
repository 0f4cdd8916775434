"""A fake FCM HTTP v1 server on 127.0.0.1 that answers like the real one, for tests and the fan-out benchmark.

Behaviour per token prefix: ``dead-`` UNREGISTERED (404), ``invalid-`` INVALID_ARGUMENT naming the token (400),
``rejected-`` INVALID_ARGUMENT about the message (400), ``quota-`` QUOTA_EXCEEDED (429), ``unavailable-``
UNAVAILABLE (503), ``internal-`` INTERNAL (500), ``mismatch-`` SENDER_ID_MISMATCH (403); anything else succeeds.
Scripts override that: ``fail_next(token, n, code)`` fails a token's next n calls, ``fail_all(code)`` fails every
call until ``fail_all(None)``; both take ``retry_after`` (seconds) to send a ``Retry-After`` header, as FCM does
with 503 and 429. ``slow_down(seconds)`` (or ``--delay-ms``; ``token=`` for one token) holds every answer that long *after* the push was
accepted, as the network does: the window in which FCM has a push and its sender does not know yet.
``max_in_progress`` is the most requests the server was handling at once.

In another process (the benchmarks, ``make stack``): ``python -m tests.fakes.fcm_server --port N``;
``GET /_fake/stats`` answers counts (``duplicates``: accepted pushes beyond the first per token; ``token_requests``),
``GET /_fake/pushes?token=T`` the recorded requests for one token (every token without ``token``),
``GET /_fake/timings`` the wall-clock moments of the first and the last accepted push (what a benchmark times),
``POST /_fake/slow`` ``{"seconds": s}`` holds every answer that long (as ``slow_down``), and ``POST /_fake/reset``
clears the counts.

Google's OAuth token endpoint too, so firebase-admin can run exactly as in production, from a service-account
file: given ``service_account`` (the file's JSON, ``--service-account FILE``), ``POST /token`` takes the
JWT-bearer grant google-auth sends (an RS256 assertion signed with the account's private key, ``iss`` its
``client_email``, ``aud`` Google's token URL), answers a fresh access token, and the send endpoint then accepts
only tokens it issued (401 ``UNAUTHENTICATED`` otherwise). Point the file's ``token_uri`` at this server.
``token_requests`` counts the requests that reached it, answered or not. ``slow_tokens(seconds)`` holds each token
answer that long before issuing it; ``token_outage("hang")`` holds each token request without an answer until
``token_outage(None)`` (then answers 503 and issues nothing: its caller has long timed out), as a Google endpoint
that does not answer within the client's timeout; ``token_outage("down")`` closes the connection unanswered.
``token_errors(status, error)`` (over HTTP ``POST /_fake/token-error`` ``{"status": 400, "error": "invalid_grant"}``,
``{"status": null}`` to recover) answers every token request with that OAuth error instead, as Google's endpoint
answers a 503 or a refused grant. ``GET /_fake/first-seen`` answers when each token's first request arrived. ``POST /_fake/oauth2/token`` answers
any caller like Google's token endpoint without checking (the partner campaign bench's Celery workers).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import json
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SEND_PATH = re.compile(r"^/v1/projects/(?P<project>[^/]+)/messages:send$")
TOKEN_PATH = "/token"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"  # google-auth's assertion audience, whatever token_uri
# FCM HTTP v1 takes either scope; firebase-admin asks for cloud-platform among others.
MESSAGING_SCOPES = {
    "https://www.googleapis.com/auth/firebase.messaging",
    "https://www.googleapis.com/auth/cloud-platform",
}
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"

# FCM error code → (HTTP status, canonical status, message), as the real service answers them.
ERRORS: dict[str, tuple[int, str, str]] = {
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "INVALID_ARGUMENT": (400, "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
    "INVALID_MESSAGE": (400, "INVALID_ARGUMENT", "Request contains an invalid argument."),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Send requests'."),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
    "SENDER_ID_MISMATCH": (403, "PERMISSION_DENIED", "SenderId mismatch"),
}
TOKEN_PREFIXES = {
    "dead-": "UNREGISTERED",
    "invalid-": "INVALID_ARGUMENT",
    "rejected-": "INVALID_MESSAGE",
    "quota-": "QUOTA_EXCEEDED",
    "unavailable-": "UNAVAILABLE",
    "internal-": "INTERNAL",
    "mismatch-": "SENDER_ID_MISMATCH",
}


@dataclasses.dataclass(frozen=True)
class RecordedPush:
    """One request the server answered (``status`` 200 = accepted)."""

    project: str
    token: str | None
    notification: dict[str, Any] | None
    data: dict[str, str] | None
    android: dict[str, Any] | None
    apns: dict[str, Any] | None
    validate_only: bool
    authorization: str | None
    status: int
    message_id: str | None


def error_body(code: str) -> tuple[int, dict[str, Any]]:
    """The real FCM error document for ``code`` (one of ``ERRORS``)."""
    http_status, status, message = ERRORS[code]
    fcm_code = "INVALID_ARGUMENT" if code == "INVALID_MESSAGE" else code
    details: list[dict[str, Any]] = [{"@type": FCM_ERROR_TYPE, "errorCode": fcm_code}]
    if code == "INVALID_ARGUMENT":
        details.append(
            {"@type": BAD_REQUEST_TYPE, "fieldViolations": [{"field": "message.token", "description": message}]}
        )
    return http_status, {"error": {"code": http_status, "message": message, "status": status, "details": details}}


class FakeFCMServer:
    """Threaded fake of ``POST /v1/projects/{project}/messages:send``; a context manager that starts and stops it."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        expected_token: str | None = None,
        record: bool = True,
        service_account: dict[str, Any] | None = None,
    ) -> None:
        self.expected_token = expected_token
        self.record = record
        self.service_account = service_account
        self._issued_tokens: set[str] = set()
        self.tokens_issued = 0
        self.token_requests = 0
        self._token_delay = 0.0
        self._token_outage: str | None = None
        self._token_error: tuple[int, str] | None = None
        self._token_endpoint_up = threading.Event()
        self._token_endpoint_up.set()
        self._lock = threading.Lock()
        self._scripts: dict[str, collections.deque[tuple[str, int | None]]] = {}
        self._global_failure: tuple[str, int | None] | None = None
        self._calls: list[RecordedPush] = []
        self._attempts: collections.Counter[str] = collections.Counter()
        self._accepted: collections.Counter[str] = collections.Counter()
        self._counts: collections.Counter[str] = collections.Counter()
        self._first_seen: dict[str, float] = {}
        self._delays: dict[str | None, float] = {}
        self._in_progress = 0
        self.max_in_progress = 0
        self._first_accepted_at: float | None = None
        self._last_accepted_at: float | None = None
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def start(self) -> FakeFCMServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-fcm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._token_endpoint_up.set()  # release held token requests
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeFCMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- scripts ---------------------------------------------------------------------------------------------
    def fail_next(self, token: str, times: int, code: str = "UNAVAILABLE", *, retry_after: int | None = None) -> None:
        """Fail this token's next ``times`` calls with ``code``, then fall back to its usual behaviour."""
        if code not in ERRORS:
            raise ValueError(f"unknown FCM error {code!r}")
        with self._lock:
            self._scripts.setdefault(token, collections.deque()).extend([(code, retry_after)] * times)

    def fail_all(self, code: str | None, *, retry_after: int | None = None) -> None:
        """Fail every call with ``code`` (and ``Retry-After: retry_after``) until called again with ``None``."""
        if code is not None and code not in ERRORS:
            raise ValueError(f"unknown FCM error {code!r}")
        with self._lock:
            self._global_failure = (code, retry_after) if code else None

    def slow_down(self, seconds: float, *, token: str | None = None) -> None:
        """Hold every answer (or only ``token``'s) ``seconds`` after the push was accepted (0 for none)."""
        self._delays[token] = seconds

    def slow_tokens(self, seconds: float) -> None:
        """Hold each token endpoint answer ``seconds`` before issuing the token (0 for none)."""
        self._token_delay = seconds

    def token_outage(self, mode: str | None) -> None:
        """``"hang"``: token requests get no answer until ``token_outage(None)``; ``"down"``: their connection is
        closed unanswered; ``None``: the endpoint answers again (held requests are then answered 503)."""
        if mode not in (None, "hang", "down"):
            raise ValueError(f"unknown token outage {mode!r}")
        self._token_outage = mode
        if mode == "hang":
            self._token_endpoint_up.clear()
        else:
            self._token_endpoint_up.set()

    def token_errors(self, status: int | None, error: str = "temporarily_unavailable") -> None:
        """Answer every token request with HTTP ``status`` and OAuth ``error`` (Google's body), issuing nothing,
        until ``token_errors(None)``: e.g. ``503`` (google-auth retries it, then raises a retryable
        ``RefreshError``) or ``400, "invalid_grant"`` (a revoked key or a clock off: raised at once, not retryable).
        Over HTTP: ``POST /_fake/token-error`` ``{"status": 400, "error": "invalid_grant"}`` (``{"status": null}``
        to recover)."""
        self._token_error = None if status is None else (int(status), error)

    def token_error(self) -> tuple[int, dict[str, str]] | None:
        """The error answer token requests get now, if ``token_errors`` set one."""
        failing = self._token_error
        if failing is None:
            return None
        status, error = failing
        return status, {"error": error, "error_description": f"The fake token endpoint answers {status} {error}."}

    def token_request_arrived(self) -> str | None:
        """Count a token request; the outage it meets (``None``, ``"hang"``, ``"down"``)."""
        with self._lock:
            self.token_requests += 1
        outage = self._token_outage
        if outage == "hang":
            self._token_endpoint_up.wait(timeout=60)
        elif outage is None and self._token_delay:
            time.sleep(self._token_delay)
        return outage

    def delay_for(self, token: object) -> float:
        return self._delays.get(token if isinstance(token, str) else None) or self._delays.get(None, 0.0)

    def reset(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._global_failure = None
            self._calls.clear()
            self._attempts.clear()
            self._accepted.clear()
            self._counts.clear()
            self._first_seen.clear()
            self.max_in_progress = 0
            self._first_accepted_at = self._last_accepted_at = None

    # -- what happened ---------------------------------------------------------------------------------------
    @property
    def calls(self) -> list[RecordedPush]:
        """Every request answered, accepted or not, in arrival order."""
        with self._lock:
            return list(self._calls)

    @property
    def accepted(self) -> list[RecordedPush]:
        return [call for call in self.calls if call.status == 200]

    def attempts(self, token: str) -> int:
        with self._lock:
            return self._attempts[token]

    def accepted_count(self, token: str) -> int:
        with self._lock:
            return self._accepted[token]

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "calls": self._counts["calls"],
                "accepted": self._counts["accepted"],
                "tokens": len(self._accepted),
                "duplicates": sum(count - 1 for count in self._accepted.values() if count > 1),
                "max_in_progress": self.max_in_progress,
                "in_progress": self._in_progress,
                "tokens_issued": self.tokens_issued,
                "token_requests": self.token_requests,
            }

    def first_seen(self) -> dict[str, float]:
        """When each token's first send request arrived (unix seconds), recorded or not."""
        with self._lock:
            return dict(self._first_seen)

    def timings(self) -> dict[str, float | None]:
        """Wall-clock (``time.time()``) of the first and the last accepted push since the last reset."""
        with self._lock:
            return {"first_accepted_at": self._first_accepted_at, "last_accepted_at": self._last_accepted_at}

    def started(self) -> None:
        with self._lock:
            self._in_progress += 1
            self.max_in_progress = max(self.max_in_progress, self._in_progress)

    def finished(self) -> None:
        with self._lock:
            self._in_progress -= 1

    # -- answering -------------------------------------------------------------------------------------------
    def answer(
        self, project: str, body: dict[str, Any], authorization: str | None
    ) -> tuple[int, dict[str, Any], int | None]:
        """(HTTP status, body, Retry-After seconds or ``None``) for one send request."""
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, dict):
            return (*error_body("INVALID_MESSAGE"), None)
        token = message.get("token")
        if not self._authorized(authorization):
            unauthenticated = {
                "code": 401,
                "message": "Request had invalid authentication credentials.",
                "status": "UNAUTHENTICATED",
            }
            return 401, {"error": unauthenticated}, None
        with self._lock:
            self._counts["calls"] += 1
            if token is not None:
                self._attempts[token] += 1
                self._first_seen.setdefault(token, time.time())
            code, retry_after = self._failure_for(token)
            message_id = None if code else f"{int(time.time() * 1000)}{uuid.uuid4().hex[:8]}"
            status, answer = error_body(code) if code else (200, {"name": f"projects/{project}/messages/{message_id}"})
            if status == 200:
                self._counts["accepted"] += 1
                self._accepted[token] += 1
                self._last_accepted_at = time.time()
                self._first_accepted_at = self._first_accepted_at or self._last_accepted_at
            if self.record:
                self._calls.append(
                    RecordedPush(
                        project=project,
                        token=token,
                        notification=message.get("notification"),
                        data=message.get("data"),
                        android=message.get("android"),
                        apns=message.get("apns"),
                        validate_only=bool(body.get("validate_only")),
                        authorization=authorization,
                        status=status,
                        message_id=message_id,
                    )
                )
        return status, answer, retry_after

    def _authorized(self, authorization: str | None) -> bool:
        if self.service_account is not None:
            scheme, _, bearer = (authorization or "").partition(" ")
            with self._lock:
                return scheme == "Bearer" and bearer in self._issued_tokens
        return self.expected_token is None or authorization == f"Bearer {self.expected_token}"

    def issue_token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """Google's token endpoint for the JWT-bearer grant: (HTTP status, body), errors as Google writes them."""
        account = self.service_account
        if account is None:
            return 404, {"error": "not_found"}
        if form.get("grant_type") != [JWT_BEARER_GRANT] or len(form.get("assertion", [])) != 1:
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        public_key = _public_key_of(account["private_key"])
        try:
            claims = jwt.decode(
                form["assertion"][0],
                public_key,
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
        with self._lock:
            self._issued_tokens.add(access_token)
            self.tokens_issued += 1
        return 200, {"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"}

    def pushes(self, token: str | None) -> list[dict[str, Any]]:
        """The recorded requests (for ``token``, or all), as JSON: what an app on that phone would receive."""
        return [
            {
                "token": call.token,
                "status": call.status,
                "message_id": call.message_id,
                "data": call.data,
                "notification": call.notification,
                "android": call.android,
                "apns": call.apns,
            }
            for call in self.calls
            if token is None or call.token == token
        ]

    def _failure_for(self, token: str | None) -> tuple[str | None, int | None]:
        if self._global_failure:
            return self._global_failure
        if not token:
            return "INVALID_MESSAGE", None
        script = self._scripts.get(token)
        if script:
            return script.popleft()
        for prefix, code in TOKEN_PREFIXES.items():
            if token.startswith(prefix):
                return code, None
        return None, None


def _public_key_of(private_key_pem: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(private_key_pem.encode(), password=None).public_key()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    fake: FakeFCMServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (a killed sender) is part of the tests; anything else is still reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == TOKEN_PATH:
            outage = self.server.fake.token_request_arrived()
            if outage == "down":
                self.close_connection = True
                return
            if outage == "hang":
                self._reply(503, {"error": "temporarily_unavailable"})
                return
            failing = self.server.fake.token_error()
            status, answer = failing or self.server.fake.issue_token(parse_qs(raw.decode("utf-8", "replace")))
            self._reply(status, answer)
            return
        if self.path == "/_fake/token-error":
            wanted = json.loads(raw or b"{}")
            self.server.fake.token_errors(wanted.get("status"), wanted.get("error", "temporarily_unavailable"))
            self._reply(200, {})
            return
        if self.path == "/_fake/reset":
            self.server.fake.reset()
            self._reply(200, {})
            return
        if self.path == "/_fake/slow":
            self.server.fake.slow_down(float(json.loads(raw or b"{}").get("seconds", 0)))
            self._reply(200, {})
            return
        if self.path == "/_fake/oauth2/token":  # a service account's token_uri, for processes with real credentials
            self._reply(200, {"access_token": "fake-oauth-access-token", "expires_in": 3600, "token_type": "Bearer"})
            return
        match = SEND_PATH.match(self.path)
        if not match:
            self._reply(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            status, answer = error_body("INVALID_MESSAGE")
            self._reply(status, answer)
            return
        fake = self.server.fake
        fake.started()
        try:
            status, answer, retry_after = fake.answer(match["project"], body, self.headers.get("Authorization"))
            message = body.get("message") if isinstance(body, dict) else None
            delay = fake.delay_for(message.get("token") if isinstance(message, dict) else None)
            if delay:
                time.sleep(delay)
        finally:
            fake.finished()
        self._reply(status, answer, retry_after=retry_after)

    def do_GET(self) -> None:  # noqa: N802
        target = urlsplit(self.path)
        if target.path == "/_fake/stats":
            self._reply(200, self.server.fake.stats())
        elif target.path == "/_fake/timings":
            self._reply(200, self.server.fake.timings())
        elif target.path == "/_fake/pushes":
            token = parse_qs(target.query).get("token", [None])[0]
            self._reply(200, {"pushes": self.server.fake.pushes(token)})
        elif target.path == "/_fake/first-seen":
            self._reply(200, self.server.fake.first_seen())
        else:
            self._reply(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})

    def _reply(self, status: int, body: dict[str, Any], *, retry_after: int | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        if retry_after is not None:
            self.send_header("Retry-After", str(retry_after))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--expected-token", default=None, help="require this bearer token")
    parser.add_argument("--no-record", action="store_true", help="count requests without keeping them")
    parser.add_argument("--delay-ms", type=float, default=0, help="hold each answer this long after accepting it")
    parser.add_argument("--service-account", type=Path, help="serve Google's token endpoint for this account file")
    args = parser.parse_args(argv)
    account = json.loads(args.service_account.read_text()) if args.service_account else None
    server = FakeFCMServer(
        args.host, args.port, expected_token=args.expected_token, record=not args.no_record, service_account=account
    )
    server.slow_down(args.delay_ms / 1000)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with server:
        print(f"fake FCM listening on {server.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()


if __name__ == "__main__":
    main()
