"""A real ``celery worker`` (prefork, two children, ``celery_worker.py``) with ``WORKER_METRICS_BIND``: the pushes
its children send are in the ``/metrics`` its main process serves, behind the metrics token, as a worker machine
without a web node is scraped. With ``OTEL_ENABLED`` its children export their spans over OTLP/HTTP (to a
collector played here by a small HTTP server)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select
from werkzeug.serving import make_server

from composition import JOBS
from config import Settings
from notifications.delivery import send_deliveries_job
from services.celery_app import CeleryRunner, make_celery
from services.models.notifications import PushDelivery
from tests.celery_harness import wait_until
from tests.factories import create_devices, create_notification, create_resident
from tests.operations.scrape import Scrape

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = f"worker-metrics-token-{uuid.uuid4().hex}"  # per test process: another's worker never answers to it
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def port_in_range(first: int = 9700, last: int = 9799) -> int:
    """A free port in the range this project's metrics tests use, from a slice of its own per xdist worker (two
    test processes probing the same port at once would both find it free)."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    start = first + (worker * 25) % (last - first + 1)
    for port in [*range(start, last + 1), *range(first, start)]:
        with socket.socket() as probe, contextlib.suppress(OSError):
            probe.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port in 9700-9799")


@pytest.fixture
def queue(redis_url):
    """A queue of the test's own: other tests on the same Redis never see its jobs, nor it theirs."""
    name = f"hub-worker-metrics-{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(redis_url).delete(name)


@contextlib.contextmanager
def celery_worker(redis_url: str, database_url: str, folder: Path, queue: str, **extra: str) -> Iterator[str]:
    """``celery -A celery_worker worker`` serving its metrics; yields their URL once they answer."""
    metrics_dir = folder / "metrics"
    metrics_dir.mkdir()
    port = port_in_range()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_ENV": "test",
        "DATABASE_URL": database_url,
        "WORKER_MODE": "celery",
        "CELERY_BROKER_URL": redis_url,
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WORKER_METRICS_BIND": f"127.0.0.1:{port}",
        "METRICS_TOKEN": TOKEN,
        **extra,
    }
    command = [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--concurrency", "2", "-Q", queue]
    with (folder / "worker.log").open("w") as log:
        process = subprocess.Popen(command + ["--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/metrics"

    def answers() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(url, headers=BEARER, timeout=2).status_code == 200
        return False

    try:
        assert wait_until(answers, timeout=60), (folder / "worker.log").read_text()[-3000:]
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture
def worker(redis_url, test_database, hub, tmp_path, queue):
    with celery_worker(redis_url, test_database.url, tmp_path, queue) as url:
        yield url


def send_two_pushes(db_session, redis_url: str, queue: str) -> None:
    """A message queued for two phones, and the send job published to the worker's queue; waits until sent."""
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, ["fcm-token-worker-metrics-1", "fcm-token-worker-metrics-2"])
    create_notification(db_session, resident, devices)
    celery = make_celery(Settings.from_env({}, celery_broker_url=redis_url))
    celery.conf.task_default_queue = queue
    assert CeleryRunner(celery, JOBS).submit(send_deliveries_job)

    def all_sent() -> bool:
        db_session.expire_all()
        return set(db_session.scalars(select(PushDelivery.state))) == {"sent"}

    assert wait_until(all_sent, timeout=60)


def test_the_pushes_a_workers_children_send_are_in_its_metrics(worker, hub, db_session, redis_url, queue):
    send_two_pushes(db_session, redis_url, queue)
    found = Scrape.parse(httpx.get(worker, headers=BEARER, timeout=5).text)
    assert found.value("hub_push_sends_total", outcome="sent") == 2
    assert found.value("hub_push_sends_total", outcome="failed") == 0
    assert "hub_outbox_backlog" not in found.families  # the database's gauges are the web's to answer


def test_a_workers_metrics_need_the_token(worker):
    assert httpx.get(worker, timeout=5).status_code == 401
    assert httpx.get(worker, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    assert httpx.get(worker.replace("/metrics", "/other"), timeout=5).status_code == 404


class OtlpCollector:
    """An OTLP/HTTP trace receiver: keeps (service name, span name, parent span id) of every span posted."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, bytes, bytes]] = []
        self.server = make_server("127.0.0.1", port_in_range(), self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def app(self, environ, start_response):
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        for resource in ExportTraceServiceRequest.FromString(body).resource_spans:
            service = next(a.value.string_value for a in resource.resource.attributes if a.key == "service.name")
            for scope in resource.scope_spans:
                self.spans += [(service, span.name, span.span_id, span.parent_span_id) for span in scope.spans]
        start_response("200 OK", [("Content-Type", "application/x-protobuf")])
        return [b""]


def test_a_traced_workers_children_export_the_job_and_its_sql_over_otlp(
    redis_url, test_database, hub, tmp_path, queue, db_session
):
    collector = OtlpCollector()
    otel = {"OTEL_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    try:
        with celery_worker(redis_url, test_database.url, tmp_path, queue, **otel):
            send_two_pushes(db_session, redis_url, queue)
            assert wait_until(
                lambda: any(name == "run/notifications.send_deliveries" for _, name, *_ in collector.spans)
            )
            [(service, _, run_id, _)] = [
                span for span in collector.spans if span[1] == "run/notifications.send_deliveries"
            ]
            assert service == "benefits-hub-worker"
            assert wait_until(lambda: any(parent == run_id for *_, parent in collector.spans))  # its SQL, its pushes
    finally:
        collector.server.shutdown()
