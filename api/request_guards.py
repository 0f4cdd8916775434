"""What every request must be before any route (or rate limiter) looks at it, answered as problem documents.

- The request target is at most ``MAX_TARGET_BYTES`` (414), a header line at most ``MAX_HEADER_LINE_BYTES``,
  at most ``MAX_HEADER_FIELDS`` headers and ``MAX_HEADER_BYTES`` in all (431 naming the header). These are the
  hub's own limits: ``gunicorn.conf.py`` sets gunicorn's above them, so a client that sends a long URL or a
  big cookie gets a problem+json from the hub, not the server's HTML page.
- A header value with a control character (NUL, CR, LF…; tab is allowed) is a 400 naming the header: no
  header the hub reads, stores or logs ever holds one.
"""

from __future__ import annotations

import re

from flask import Flask, Response, request

from api.problems import problem_response

MAX_TARGET_BYTES = 4096
MAX_HEADER_LINE_BYTES = 8190
MAX_HEADER_FIELDS = 100
MAX_HEADER_BYTES = 32 * 1024
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def _target_bytes() -> int:
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is None:
        query = environ.get("QUERY_STRING", "")
        raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "") + ("?" + query if query else "")
    return len(raw.encode("latin-1", "replace"))


def _refuse_oversized() -> Response | None:
    if _target_bytes() > MAX_TARGET_BYTES:
        return problem_response(414, f"The address is too long (at most {MAX_TARGET_BYTES} bytes).")
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADER_FIELDS:
        return problem_response(431, f"Too many headers (at most {MAX_HEADER_FIELDS}).")
    total = 0
    for name, value in headers:
        line = len(name) + 2 + len(value)
        total += line + 2
        if line > MAX_HEADER_LINE_BYTES:
            message = f"At most {MAX_HEADER_LINE_BYTES} bytes."
            return problem_response(431, f"The {name} header is too large.", errors={name: [message]})
    if total > MAX_HEADER_BYTES:
        return problem_response(431, f"The headers are too large (at most {MAX_HEADER_BYTES} bytes in all).")
    return None


def _refuse_control_characters() -> Response | None:
    for name, value in request.headers.items():
        if _CONTROL.search(value):
            message = "Contains a control character."
            return problem_response(400, f"The {name} header contains a control character.", errors={name: [message]})
    return None


def _guard() -> Response | None:
    return _refuse_oversized() or _refuse_control_characters()


def register(app: Flask) -> None:
    """Register after ``request_context`` (the problem needs the request id), before everything else."""
    app.before_request(_guard)
