"""A real ``celery worker`` (prefork, two children, ``celery_worker.py``) with ``WORKER_METRICS_BIND``: the pushes
its children send are in the ``/metrics`` its main process serves, behind the metrics token, as a worker machine
without a web node is scraped."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select

from composition import JOBS
from notifications.delivery import send_deliveries_job
from services.celery_app import CeleryRunner, make_celery
from services.models.notifications import PushDelivery
from tests.celery_harness import wait_until
from tests.notifications_db.factories import add_devices, make_resident, queue_message
from tests.operations.scrape import Scrape

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "worker-metrics-token-2468"


def port_in_range(first: int = 9700, last: int = 9799) -> int:
    """A free port in the range this project's metrics tests use."""
    for port in range(first, last + 1):
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


@pytest.fixture
def worker(redis_url, test_database, hub, tmp_path, queue):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    port = port_in_range()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_ENV": "test",
        "DATABASE_URL": test_database.url,
        "WORKER_MODE": "celery",
        "CELERY_BROKER_URL": redis_url,
        "SIGNING_KEYS_PATH": str(tmp_path / "signing-keys.json"),
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "WORKER_METRICS_BIND": f"127.0.0.1:{port}",
        "METRICS_TOKEN": TOKEN,
    }
    command = [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--concurrency", "2", "-Q", queue]
    with (tmp_path / "worker.log").open("w") as log:
        process = subprocess.Popen(command + ["--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/metrics"

    def answers() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=2).status_code == 200
        return False

    try:
        assert wait_until(answers, timeout=60), (tmp_path / "worker.log").read_text()[-3000:]
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_the_pushes_a_workers_children_send_are_in_its_metrics(worker, hub, db_session, redis_url, queue):
    resident = make_resident(db_session)
    devices = add_devices(db_session, resident, ["fcm-token-worker-metrics-1", "fcm-token-worker-metrics-2"])
    queue_message(db_session, resident, devices)
    celery = make_celery(hub.settings.__class__.from_env({}, celery_broker_url=redis_url))
    celery.conf.task_default_queue = queue
    assert CeleryRunner(celery, JOBS).submit(send_deliveries_job)

    def all_sent() -> bool:
        db_session.expire_all()
        return set(db_session.scalars(select(PushDelivery.state))) == {"sent"}

    assert wait_until(all_sent, timeout=60)
    found = Scrape.parse(httpx.get(worker, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).text)
    assert found.value("hub_push_sends_total", outcome="sent") == 2
    assert found.value("hub_push_sends_total", outcome="failed") == 0
    assert "hub_outbox_backlog" not in found.families  # the database's gauges are the web's to answer


def test_a_workers_metrics_need_the_token(worker):
    assert httpx.get(worker, timeout=5).status_code == 401
    assert httpx.get(worker, headers={"Authorization": "Bearer nope"}, timeout=5).status_code == 401
    assert httpx.get(worker.replace("/metrics", "/other"), timeout=5).status_code == 404
