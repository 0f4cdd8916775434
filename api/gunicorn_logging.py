"""gunicorn's own logs (its error log and its access log) as the hub's JSON lines, through the log policy.

``gunicorn.conf.py`` sets ``logger_class = HubGunicornLogger``. Its ``setup`` routes ``gunicorn.error`` (workers
booting, timeouts, crashes) and ``gunicorn.access`` into the one JSON handler of ``services/log_policy.py`` (ISO-8601
UTC timestamps, identifiers stripped), instead of gunicorn's plain-text handlers.

The access line: gunicorn writes it, once per request. It holds what the hub chose to show and nothing else: the method, the route *template*
(``/v1/admin/residents/<resident_id>``, left by the hub in the WSGI environ; never the path, whose segments are ids,
nor the query string), the status, the duration, the bytes sent and the request id. No client address: addresses
identify people. Under this logger the hub does not write its own ``hub.access`` line (one line per request, not
two); anywhere else (the tests' client, a bare ``gunicorn wsgi:app``) it does. ``ACCESS_LOG=false`` (``make run``)
silences both, so the terminal shows what the walkthrough asks to see ("push logged").
"""

from __future__ import annotations

import logging
from typing import Any

from gunicorn import glogging

ROUTE_KEY = "hub.route"  # the route template the hub matched (None: no route matched)
REQUEST_ID_KEY = "hub.request_id"

QUIET_PATHS = frozenset({"/healthz", "/readyz"})  # probes every few seconds: not logged (as in the hub's own line)

_server_writes_access_log = False


def server_writes_access_log() -> bool:
    """Whether this process's gunicorn writes the access line (so the hub must not write its own)."""
    return _server_writes_access_log


class HubGunicornLogger(glogging.Logger):
    """gunicorn's logger writing through the hub's log policy. ``access_log`` and ``log_level`` are the hub's
    ``ACCESS_LOG`` and ``LOG_LEVEL``, set by ``gunicorn.conf.py`` from the hub's settings."""

    access_log_on = True
    hub_log_level = "INFO"

    def setup(self, cfg: Any) -> None:
        from api.request_context import configure_logging

        global _server_writes_access_log
        self.cfg = cfg
        self._access_log_enabled = self.access_log_on
        self.loglevel = self.LOG_LEVELS.get(cfg.loglevel.lower(), logging.INFO)
        configure_logging(self.hub_log_level)
        for log in (self.error_log, self.access_log):
            log.handlers[:] = []
            log.propagate = True  # to the root's one JSON handler
        self.error_log.setLevel(self.loglevel)  # gunicorn's --log-level, as gunicorn has it
        self.access_log.setLevel(self.hub_log_level.upper())  # the hub's LOG_LEVEL, as its own access line had
        _server_writes_access_log = True

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if not self.access_log_on or environ.get("PATH_INFO") in QUIET_PATHS:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info(
            "request",
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "route": environ.get(ROUTE_KEY),
                "status": int(status) if str(status).isdigit() else status,
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "bytes": getattr(resp, "sent", None),
                "request_id": environ.get(REQUEST_ID_KEY),
            },
        )

    def reopen_files(self) -> None:
        """Nothing to reopen: every line goes to stderr through the hub's handler."""

    def close_on_exec(self) -> None:
        """No files of gunicorn's own."""
