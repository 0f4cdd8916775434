"""Request ids and structured JSON logs.

A sane ``X-Request-ID`` from the caller is kept (so a phone app's id follows the request through the
logs), anything else is replaced with a fresh one. Log lines carry the request id, the method, the route
pattern and the status: never query strings, bodies, tokens or other personal data. Under gunicorn with the hub's
logger class (``gunicorn.conf.py``) gunicorn writes that line itself from what the hub leaves in the WSGI environ
(``api/gunicorn_logging.py``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from api.current_hub import current_hub
from api.gunicorn_logging import REQUEST_ID_KEY, ROUTE_KEY, server_writes_access_log
from services import log_policy

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

access_log = logging.getLogger("hub.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else getattr(record, "request_id", None)
        return True


def configure_logging(level: str) -> None:
    """The hub's log policy (``services/log_policy.py``), each line with the request id when there is one."""
    log_policy.configure_logging(level, RequestIdFilter())


def header_text(name: str) -> str:
    """A header as the caller wrote it. WSGI hands header bytes over as latin-1; a value that is valid UTF-8
    (a reason written in Spanish) is read as UTF-8, anything else stays as the latin-1 characters it was."""
    value = request.headers.get(name, "")
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _start_request() -> None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _SANE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.started_at = time.perf_counter()
    g.arrived_at = _arrival(request.headers.get("X-Request-Start"))


def arrived_at() -> float:
    """When this request arrived (``time.monotonic()``): budgets a phone is promised count from here."""
    return g.get("arrived_at") or time.monotonic()


MAX_QUEUED_SECONDS = 60.0


def _arrival(request_start: str | None) -> float:
    """Now, or earlier by the time the request waited before the app saw it, when a load balancer says when it
    received it (``X-Request-Start: t=<epoch seconds, ms or µs>``, as nginx and Heroku send it). A client can
    send the header too, but it can only shorten its own wait; values in the future, unreadable or more than
    a minute old are ignored."""
    now = time.monotonic()
    if not request_start:
        return now
    try:
        stamp = float(request_start.strip().removeprefix("t="))
    except ValueError:
        return now
    seconds = stamp / 1e6 if stamp > 1e14 else stamp / 1e3 if stamp > 1e11 else stamp
    queued = time.time() - seconds
    return now - queued if 0 < queued <= MAX_QUEUED_SECONDS else now


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    route = request.url_rule.rule if request.url_rule else None
    request.environ[ROUTE_KEY], request.environ[REQUEST_ID_KEY] = route, request_id  # for gunicorn's access line
    if server_writes_access_log() or not current_hub().settings.access_log:
        return response
    elapsed_ms = (time.perf_counter() - g.get("started_at", time.perf_counter())) * 1000
    if request.path not in {"/healthz", "/readyz"}:
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "duration_ms": round(elapsed_ms, 2),
            },
        )
    return response


def register(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
