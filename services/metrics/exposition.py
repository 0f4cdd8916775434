"""One scrape: every process's instruments and the scrape-time gauges, in Prometheus's text format.

Under gunicorn ``PROMETHEUS_MULTIPROC_DIR`` is set (``gunicorn.conf.py``) and each worker writes its values to
files there; a scrape answered by any worker reads all of them (prometheus-client's ``MultiProcessCollector``),
so counts do not depend on which worker Prometheus reached. Celery workers on the same host write there too when
given the same directory. Without it (tests, ``flask`` commands), this process's default registry is read.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
from collections.abc import Iterable, Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST  # what generate_latest writes


def same_secret(presented: str, expected: str) -> bool:
    """Constant-time comparison of a presented token with the configured one; both are hashed first, so not even
    the token's length shows in the time taken."""
    digest = hashlib.sha256
    return hmac.compare_digest(digest(presented.encode()).digest(), digest(expected.encode()).digest())


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _ThisProcess(Collector):
    """The default registry (this process's instruments and its process/GC metrics), read through."""

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def render(extra: Iterable[Collector] = ()) -> bytes:
    """The scrape's body: the instruments (of every process of the host, or of this one) and ``extra``."""
    registry = CollectorRegistry(auto_describe=False)
    folder = multiprocess_dir()
    if folder:
        multiprocess.MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:
        """A scrape every few seconds is not news."""


def serve_worker_metrics(bind: str, token: str) -> ThreadingWSGIServer:
    """``GET /metrics`` of a Celery worker host (``WORKER_METRICS_BIND``, ``host:port``), from a thread of the
    worker's main process: every process's instruments in ``PROMETHEUS_MULTIPROC_DIR`` (the pool's children write
    there), behind the same bearer ``METRICS_TOKEN`` as the web's. The gauges read from the database are the web's
    to answer; a worker only tells what its processes did (dispatch, sends, platform calls, breakers)."""
    host, _, port = bind.rpartition(":")

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        scheme, _, presented = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if token and not (scheme.lower() == "bearer" and same_secret(presented.strip(), token)):
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), ("WWW-Authenticate", "Bearer")])
            return [b"metrics need the metrics token\n"]
        body = render()
        start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
        return [body]

    server = make_server(host or "0.0.0.0", int(port), app, ThreadingWSGIServer, handler_class=_Quiet)  # noqa: S104
    threading.Thread(target=server.serve_forever, name="worker-metrics", daemon=True).start()
    return server
