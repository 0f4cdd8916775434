"""Every error as ``application/problem+json`` (RFC 9457), in one place.

Domain errors are values raised from ``services/`` (subclasses of ``services.errors.DomainError``); HTTP
errors come from Werkzeug, flask-smorest/webargs validation and flask-limiter. All of them become the same
document: ``type``, ``title``, ``status``, ``detail``, ``request_id`` and, for validation, ``errors``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException, SecurityError

from api.fields import UNSAFE_TEXT
from services.errors import DomainError

log = logging.getLogger("hub.errors")

PROBLEM_MIMETYPE = "application/problem+json"
TYPE_BASE = "https://benefits-hub.example/problems/"


def problem_document(
    status: int, detail: str, request_id: str | None, *, title: str | None = None, type_: str | None = None
) -> dict[str, Any]:
    """The members every problem has; also used outside Flask (gunicorn's own errors, ``gunicorn.conf.py``)."""
    phrase = HTTPStatus(status).phrase
    return {
        "type": type_ or TYPE_BASE + phrase.lower().replace(" ", "-").replace("'", ""),
        "title": title or phrase,
        "status": status,
        "detail": detail,
        "request_id": request_id,
    }


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build a problem document response; ``extra`` keys (e.g. OAuth ``error``) are added as members."""
    body = problem_document(status, detail, g.get("request_id"), title=title, type_=type_)
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn webargs' nested ``{location: {field: [msgs] | {...}}}`` into ``{"field.sub": [msgs]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{_printable(key)}" if prefix else _printable(key)
            if isinstance(value, dict):
                flat.update(flatten_messages(value, name))
            elif isinstance(value, list) and all(isinstance(item, str) for item in value):
                flat[name] = list(value)
            elif isinstance(value, list):
                flat.update(flatten_messages(dict(enumerate(value)), name))
            else:
                flat[name] = [str(value)]
    elif messages is not None:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def _printable(key: Any) -> str:
    """A field name as the caller sent it, less what no document may carry (a dict key can be a surrogate)."""
    return UNSAFE_TEXT.sub("\ufffd", str(key))


_LOCATIONS = {"json", "query", "form", "headers", "view_args", "files", "cookies", "json_or_form", "querystring"}


def validation_errors(error: HTTPException) -> dict[str, list[str]] | None:
    """The field → messages map from a flask-smorest/webargs validation abort, locations dropped."""
    messages = getattr(error, "data", {}).get("messages") if getattr(error, "data", None) else None
    if not messages:
        return None
    merged: dict[str, Any] = {}
    for location, fields in messages.items():
        if location in _LOCATIONS and isinstance(fields, dict):
            merged.update(fields)
        else:
            merged[location] = fields
    return flatten_messages(merged)


_DETAILS = {
    400: "The request could not be understood.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are not valid; see errors.",
    429: "Too many requests; wait and try again.",
}


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    errors = validation_errors(error)
    detail = _DETAILS.get(status, error.description or HTTPStatus(status).phrase)
    if getattr(error, "problem_detail", None):
        detail = error.problem_detail
    elif errors and status == 400:
        detail = "The request body is not valid JSON." if _is_json_error(errors) else _DETAILS[422]
    elif status not in _DETAILS and error.description:
        detail = error.description
    elif status == 429 and getattr(error, "limit", None) is not None and error.description:
        detail = error.description  # a rate limit names itself (api/auth/rate_limits.py)
    headers = {}
    if error.response is not None and error.response.headers.get("Retry-After"):
        headers["Retry-After"] = error.response.headers["Retry-After"]
    retry_after = getattr(error, "retry_after", None)
    if retry_after and "Retry-After" not in headers:
        headers["Retry-After"] = str(retry_after)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem_response(status, detail, errors=errors, headers=headers)


def _is_json_error(errors: dict[str, list[str]]) -> bool:
    return any("Invalid JSON" in message for messages in errors.values() for message in messages)


def handle_domain_error(error: DomainError) -> Response:
    if "Retry-After" in error.headers:
        g.stated_retry_after = error.headers["Retry-After"]
    return problem_response(
        error.status,
        error.detail,
        title=error.title,
        type_=TYPE_BASE + error.slug,
        errors=error.errors,
        headers=error.headers,
        **error.extra,
    )


def handle_unexpected(error: Exception) -> Response:
    """A 500: one log line with the request id, and nothing of the cause in the response. The one exception:
    a database that cannot be reached right now is a 503 with ``Retry-After`` (``database_unreachable``)."""
    original = getattr(error, "original_exception", None) or error
    if database_unreachable(original):
        log.warning("database unreachable", extra={"error_type": type(original).__name__})
        return problem_response(
            503,
            "The hub cannot reach its database right now. Try again in a few seconds.",
            title="Service unavailable",
            type_=TYPE_BASE + "database-unavailable",
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    log.error(
        "unhandled error",
        exc_info=(type(original), original, original.__traceback__),
        extra={"error_type": type(original).__name__},
    )
    return problem_response(500, "Something went wrong on our side. Quote the request id if you contact support.")


def keep_stated_retry_after(response: Response) -> Response:
    """A domain error that says when to retry (a link lockout) keeps its ``Retry-After``: Flask-Limiter's
    after-request hook sets the header on every limited route from its own window, which knows nothing of it.
    Installed before the limiter (``api.auth.rate_limits.register``), so it runs after the limiter's hook."""
    stated = g.pop("stated_retry_after", None)
    if stated is not None:
        response.headers["Retry-After"] = stated
    return response


def handle_untrusted_host(_error: SecurityError) -> Response:
    """A Host header outside ``TRUSTED_HOSTS``: nothing is served for it, and nothing links back to it."""
    message = "This hub does not serve that host."
    return problem_response(400, message, title="Untrusted host", errors={"Host": [message]})


DATABASE_RETRY_AFTER_SECONDS = 5  # a PostgreSQL restart or failover takes seconds
# SQLSTATEs that mean "no database for now" (connection exceptions; shutting down, crashed, starting up; full)
_UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")


def database_unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached now (down, restarting, connection lost, pool
    exhausted), as opposed to a bug or bad data, which stay 500s. Only PostgreSQL's connection failures
    count: psycopg's ``OperationalError`` without a SQLSTATE (raised by the client: refused, closed, lost) or
    with one of the states above, or anything SQLAlchemy saw invalidate the connection. A statement timeout,
    a lock timeout or SQLite's "no such table" are ``OperationalError`` too, and stay 500s."""
    import psycopg
    from sqlalchemy import exc

    if isinstance(error, exc.DisconnectionError | exc.TimeoutError):
        return True
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if not isinstance(error, psycopg.OperationalError):
        return False
    state = error.sqlstate
    return state is None or state.startswith(_UNREACHABLE_SQLSTATES)


def register(app: Flask) -> None:
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
