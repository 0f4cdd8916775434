"""Request ids, structured JSON logs and the body rules that apply before any route runs.

A sane ``X-Request-ID`` from the caller is kept (so a phone app's id follows the request through the
logs), anything else is replaced with a fresh one. Log lines carry the request id, the method, the route
pattern and the status: never query strings, bodies, tokens or other personal data.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from api.problems import problem_response

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded",)

access_log = logging.getLogger("hub.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else getattr(record, "request_id", None)
        return True


def configure_logging(level: str) -> None:
    """One JSON object per line on stderr, each with the request id when there is one."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s", rename_fields={"levelname": "level"}
        )
    )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def accepts_form(view):
    """Mark a view as also taking ``application/x-www-form-urlencoded`` bodies (OAuth token endpoints)."""
    view.accepts_form = True
    return view


def _start_request() -> Response | None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if _SANE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.started_at = time.perf_counter()
    g.arrived_at = _arrival(request.headers.get("X-Request-Start"))
    return _check_body()


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


def _check_body() -> Response | None:
    if request.method not in {"POST", "PUT", "PATCH"}:
        return None
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding") == "chunked"
    if not has_body:
        return None
    mimetype = request.mimetype
    if mimetype in _JSON_TYPES or mimetype.endswith("+json"):
        return None
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if mimetype in _FORM_TYPES and _view_accepts_form(view):
        return None
    if view is None:
        return None  # unknown path or method: let routing answer 404/405
    return problem_response(415, "Send the body as application/json.")


def _view_accepts_form(view) -> bool:
    target = getattr(view, "view_class", None) or view
    if getattr(target, "accepts_form", False):
        return True
    method = getattr(target, request.method.lower(), None)
    return bool(getattr(method, "accepts_form", False))


def _finish_request(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    elapsed_ms = (time.perf_counter() - g.get("started_at", time.perf_counter())) * 1000
    if request.path not in {"/healthz", "/readyz"}:
        access_log.info(
            "request",
            extra={
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round(elapsed_ms, 2),
            },
        )
    return response


def register(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
