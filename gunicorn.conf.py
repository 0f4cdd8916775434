"""gunicorn settings for the hub, used by ``make run`` and production (``gunicorn -c gunicorn.conf.py wsgi:app``).

The hub itself answers what a client can plausibly send: its request guards (``api/request_guards.py``) refuse
a request target over 4,096 bytes (414), a header line over 8,190 bytes, more than 100 headers or 32 KiB of
headers (431), as problem+json. gunicorn's own limits sit above those (its defaults, 4,094 bytes for the
request line among them, answered with an HTML page first). Whatever gunicorn still refuses by itself (a
request line over 8,190 bytes, its maximum, or a malformed request) is answered as problem+json too, and no
response carries a ``Server: gunicorn`` banner.

Before any worker starts, the hub's settings are read and checked here (``config.load_or_exit``): settings the hub
refuses are listed on stderr, without a traceback, and gunicorn exits 2; so does a staging or production start
without its signing key file (``flask keys init`` makes the first one). gunicorn's own error and access logs are
the hub's JSON lines (``api/gunicorn_logging.py``).

Metrics: prometheus-client's multiprocess mode. Every worker writes its counters to files in
``PROMETHEUS_MULTIPROC_DIR`` and ``GET /metrics``, whichever worker answers, adds up all of them. The directory
is the operator's when set (share it with the Celery workers of the same host, and empty it before the group
starts: ``make stack`` does); otherwise a fresh one is made for this server and removed when it stops. It must be
set before any worker imports prometheus-client, hence here, first. A worker that exits has its live gauges
removed (``child_exit``); its counters stay, so totals never go backwards when gunicorn replaces a worker.

Each worker warms itself before it takes traffic (``post_worker_init``, ``api/warmup.py``): one pooled database
connection, the stored read's compiled SQL, the signing keys and the platform client, so the first reads after a
deploy or a worker restart are not the slow ones.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

_values = sys.modules.get("prometheus_client.values")
if _values is not None and _values.ValueClass is _values.MutexValue:  # imported before the directory was chosen
    raise RuntimeError("gunicorn.conf.py must set PROMETHEUS_MULTIPROC_DIR before anything imports prometheus_client")
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hub-metrics-")

import json  # noqa: E402  (after the metrics directory is chosen)
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gunicorn.http.wsgi  # noqa: E402
import gunicorn.util  # noqa: E402

from api.gunicorn_logging import HubGunicornLogger  # noqa: E402
from api.problems import PROBLEM_MIMETYPE, problem_document  # noqa: E402
from api.request_guards import MAX_HEADER_FIELDS, MAX_HEADER_LINE_BYTES  # noqa: E402
from config import load_or_exit  # noqa: E402

_settings = load_or_exit()
if _settings.is_strict and not Path(_settings.signing_keys_path).is_file():
    print(
        f"Benefits Hub refuses to start (HUB_ENV={_settings.hub_env}): SIGNING_KEYS_PATH: no key file at "
        f"{_settings.signing_keys_path}; create the first key with `flask keys init`",
        file=sys.stderr,
    )
    raise SystemExit(2)

logger_class = HubGunicornLogger
HubGunicornLogger.access_log_on = _settings.access_log
HubGunicornLogger.hub_log_level = _settings.log_level

# Processes: WEB_CONCURRENCY workers (gunicorn's own variable, made explicit) × WEB_THREADS threads each; with
# threads the worker class is gthread. Command-line options win (``make run`` serves one worker × 8 threads).


def _count(variable: str) -> int:
    """A process count from the environment, refused by name (not a bare ValueError) when it is not one."""
    raw = os.environ.get(variable, "1")
    if not raw.strip().isdigit() or int(raw) < 1:
        print(f"Benefits Hub refuses to start: {variable}={raw!r}: not a whole number of 1 or more", file=sys.stderr)
        raise SystemExit(2)
    return int(raw)


workers = _count("WEB_CONCURRENCY")
threads = _count("WEB_THREADS")

limit_request_line = 8190  # gunicorn's maximum; the hub answers anything over MAX_TARGET_BYTES itself
limit_request_field_size = 2 * MAX_HEADER_LINE_BYTES
limit_request_fields = 2 * MAX_HEADER_FIELDS

_DETAILS = {
    400: "The request is not well-formed HTTP.",
    414: "The address is too long.",
    431: "The request's headers are too large.",
}


def write_problem(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error page as a problem document. gunicorn's message is not repeated: it quotes the request."""
    detail = _DETAILS.get(status_int, reason)
    body = json.dumps(problem_document(status_int, detail, uuid.uuid4().hex)).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: {PROBLEM_MIMETYPE}\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


_default_headers = gunicorn.http.wsgi.Response.default_headers


def _headers_without_banner(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


gunicorn.util.write_error = write_problem
gunicorn.http.wsgi.Response.default_headers = _headers_without_banner


def post_worker_init(worker) -> None:
    """Each worker is warmed before it accepts a connection (``api/warmup.py``): what a phone's first read would
    otherwise build lazily. It never fails the worker: a database that is down at boot is a logged warning."""
    from api.warmup import warm

    warm(worker.wsgi)


def child_exit(_server, worker) -> None:
    """A worker is gone: its live gauges (``hub_platform_breaker_open``) must not count any more."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(_server) -> None:
    """The metrics directory this server made for itself goes with it."""
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
