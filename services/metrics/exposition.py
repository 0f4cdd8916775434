"""One scrape: every process's instruments and the scrape-time gauges, in Prometheus's text format.

Under gunicorn ``PROMETHEUS_MULTIPROC_DIR`` is set (``gunicorn.conf.py``) and each worker writes its values to
files there; a scrape answered by any worker reads all of them (prometheus-client's ``MultiProcessCollector``),
so counts do not depend on which worker Prometheus reached. Celery workers on the same host write there too when
given the same directory. Without it (tests, ``flask`` commands), this process's default registry is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = CONTENT_TYPE_LATEST  # what generate_latest writes


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
