"""What the hub's processes write to their logs: one JSON object per line, ids only, from any library.

Each line: ``time`` (ISO-8601 UTC, milliseconds, ``Z``), ``level``, ``name`` (the logger), ``message``,
``request_id`` when there is one, and the line's own fields.

The hub's own loggers (``hub.*``, ``notifications.*``) log ids, never personal data. Libraries do not know
what is personal: httpx logs each platform call at INFO with its URL (``Coverage?beneficiary=Patient%2Fhfs-…``,
``dhs/clients/<record id>/cases``), SQLAlchemy logs statements with their parameters and rows, urllib3 and
httpcore log requests at DEBUG, celery logs task results. So, whatever ``LOG_LEVEL`` says:

- a library's records below WARNING are dropped (``LibraryRecords``); the hub's own lines say what happened;
  the server's own lines are the exception (``gunicorn.access``, built by ``api/gunicorn_logging.py`` from the
  route template and ids only, and ``gunicorn.error`` from INFO: workers booting and exiting; its DEBUG lines
  quote request paths, so they stay dropped);
- what is written (a library's warnings, any exception text) passes ``redact``: a URL keeps only its scheme
  and host, an email address becomes ``[email]``;
- SQLAlchemy engines hide bound parameters even in exception messages (``services/db.py``).

Web processes configure this through ``api.request_context.configure_logging``, Celery workers through the
``setup_logging`` signal (``services/celery_app.py``). No library may write around it: redis-py adds its own
stderr handler to a ``push_response`` logger unless that logger exists, so it is created here first; ``tests/test_log_privacy.py`` runs the persona
stories with every logger at DEBUG and looks for the personas' names, emails, phones, case numbers and
record ids in everything written.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

HUB_LOGGERS = ("hub", "notifications")
# The server's loggers and the lowest level each may write at (below that they are a library's, dropped).
SERVER_LOGGERS = {"gunicorn.access": logging.DEBUG, "gunicorn.error": logging.INFO}
_URL = re.compile(r"\b(https?://[^/\s'\"<>?#]+)[^\s'\"<>]*")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact(text: str) -> str:
    """``text`` with every URL cut to its scheme and host, and every email address replaced."""
    return _EMAIL.sub("[email]", _URL.sub(r"\1/…", text))


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


def is_hub_logger(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in HUB_LOGGERS)


class LibraryRecords(logging.Filter):
    """Only warnings and errors from libraries; every level from the hub's own loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or is_hub_logger(record.name):
            return True
        return record.levelno >= SERVER_LOGGERS.get(record.name, logging.WARNING)


class RedactingJsonFormatter(JsonFormatter):
    """The JSON line with ``redact`` applied to every string in it (message, extras, exception text), stamped with
    the moment in ISO-8601 UTC (``2026-12-02T01:05:09.123Z``), whatever the machine's time zone."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's name)
        moment = dt.datetime.fromtimestamp(record.created, dt.UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {key: _redacted(value) for key, value in super().process_log_record(log_data).items()}


# Loggers that libraries give handlers of their own unless the logger already exists.
PRE_EMPTED_LOGGERS = ("push_response",)


def configure_logging(level: str | int, *filters: logging.Filter) -> logging.Handler:
    """One JSON object per line on stderr through the policy above; ``filters`` add fields (the request id)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "asctime": "time"},
        )
    )
    handler.addFilter(LibraryRecords())
    for extra in filters:
        handler.addFilter(extra)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in PRE_EMPTED_LOGGERS:
        logging.getLogger(name).handlers[:] = []
    return handler
