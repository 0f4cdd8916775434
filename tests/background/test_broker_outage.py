"""A real ``celery worker`` (prefork, the hub's Celery app) against a Redis of its own that is stopped and
started again several times, each time with a task in flight: the worker is still there afterwards, and a
job queued after the outages runs (an outbox event becomes an inbox message)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from config import Settings
from notifications.dispatch import dispatch_job
from services.celery_app import CeleryRunner, make_celery
from services.models.notifications import NotificationMessage
from tests.background.hold import WORKER_JOBS, hold
from tests.celery_harness import wait_until
from tests.factories import approved_event, create_events, create_resident

ROOT = Path(__file__).resolve().parents[2]
OUTAGES = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """``redis-server`` on a port of its own, without persistence, that the test stops and starts."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI") == "true":
                pytest.fail("CI must run the broker-outage test: redis-server is not installed")
            pytest.skip("redis-server is not installed")
        self.binary, self.port = binary, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
        )
        assert wait_until(self._answers, timeout=10), "redis-server did not start"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Redis goes away at once (SIGKILL): no goodbye to its clients."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def redis_server():
    server = PrivateRedis()
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.process.terminate()
        server.process.wait(10)


@pytest.fixture
def worker(redis_server, test_database, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_ENV": "test",
        "DATABASE_URL": test_database.url,
        "WORKER_MODE": "celery",
        "CELERY_BROKER_URL": redis_server.url,
        "SIGNING_KEYS_PATH": str(tmp_path / "signing-keys.json"),
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.background.outage_worker",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process, tmp_path / "worker.log"
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    log.close()


def test_a_worker_survives_redis_going_away_with_tasks_in_flight_and_runs_jobs_queued_after(
    hub, db_session, settings, redis_server, worker
):
    process, log_path = worker
    celery = make_celery(Settings.from_env({}, **{**settings.__dict__, "celery_broker_url": redis_server.url}))
    runner = CeleryRunner(celery, WORKER_JOBS)
    assert wait_until(lambda: bool(celery.control.ping(timeout=0.5)), timeout=60), log_path.read_text()
    markers = log_path.parent / "holds"

    def holds_started() -> int:
        return len(list(markers.iterdir())) if markers.exists() else 0

    for outage in range(1, OUTAGES + 1):
        started = holds_started()
        runner.submit(hold, seconds=3.0, marker=str(markers))  # in flight, unacknowledged, when Redis goes
        assert wait_until(lambda started=started: holds_started() > started, timeout=30), log_path.read_text()
        time.sleep(0.5)
        redis_server.kill()
        time.sleep(3)
        redis_server.start()
        time.sleep(3)
        log = log_path.read_text()
        assert process.poll() is None and "Unrecoverable error" not in log, f"worker died in outage {outage}:\n{log}"

    maria = create_resident(db_session)
    create_events(db_session, maria, approved_event())
    runner.submit(dispatch_job)

    def dispatched() -> bool:
        with hub.session() as session:
            return (
                session.scalar(select(NotificationMessage.id).where(NotificationMessage.resident_id == maria.id))
                is not None
            )

    assert wait_until(dispatched, timeout=90), log_path.read_text()
    assert process.poll() is None
