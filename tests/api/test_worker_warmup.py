"""Each gunicorn worker warms itself before it takes traffic (``api/warmup.py``, gunicorn's ``post_worker_init`` in
``gunicorn.conf.py``), under a real gunicorn started as production starts it: the worker logs ``worker warmed``
before any request reached it, with one database connection in its pool, which the database (PostgreSQL) or the
worker's open files (SQLite) show too; and a worker whose database is unreachable at boot logs a warning for each
step that needed it, starts, and answers ``/healthz``.

``WORKER_MODE=celery`` (the production shape): the web workers then run no in-process ticker, whose jobs would
open connections of their own, so the one connection there is the warm-up's. Nothing is published: no request
is made before the checks."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.live_servers import GUNICORN, ROOT, free_port, stop

WORKERS = 2
pytestmark = pytest.mark.slow


class Server:
    def __init__(self, process: subprocess.Popen, url: str, log: Path) -> None:
        self.process, self.url, self.log = process, url, log

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]

    def workers(self) -> set[int]:
        pid = self.process.pid
        return {int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}

    def warmed(self) -> dict[int, dict]:
        return {record["pid"]: record for record in self.records() if record["message"] == "worker warmed"}

    def wait_until_warmed(self, count: int, timeout: float = 60) -> dict[int, dict]:
        """Wait, sending nothing to the server, until ``count`` workers have logged ``worker warmed``."""
        deadline = time.monotonic() + timeout
        while len(self.warmed()) < count:
            assert self.process.poll() is None, f"gunicorn exited: {self.log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no warm-up line: {self.log.read_text()[-3000:]}"
            time.sleep(0.1)
        return self.warmed()


@contextlib.contextmanager
def gunicorn(folder: Path, database_url: str) -> Iterator[Server]:
    """The repo's gunicorn config with ``WORKERS`` workers, yielded as soon as it is started: not
    ``live_servers.gunicorn_process``, which waits by requesting ``/healthz``, since these tests look at the
    warm-up before any request reaches a worker."""
    port = free_port()
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}},
        "HUB_ENV": "test",
        "DATABASE_URL": database_url,
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "INFO",
        "WORKER_MODE": "celery",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: nothing is published
        "DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
    }
    log = folder / "gunicorn.log"
    command = [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--threads", "2", "wsgi:app"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log)
    finally:
        stop(process)


def _database_connections(test_database) -> int:
    """Backends connected to the test database other than this test's own."""
    with test_database.engine.connect() as connection:
        return connection.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        )


def _opened_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            found.add(os.readlink(fd))
    return found


def test_each_worker_is_warmed_with_a_pooled_connection_before_its_first_request(test_database, tmp_path):
    test_database.engine.dispose()  # the test's own pooled connections closed: what is left is the workers'
    with gunicorn(tmp_path, test_database.url) as server:
        warmed = server.wait_until_warmed(WORKERS)  # no request has been sent
        assert set(warmed) == server.workers()
        for record in warmed.values():
            assert record["failed"] == [], record
            assert {"database", "texts", "token", "platform_client"} <= set(record["warmed"]), record
            assert record["pooled_connections"] == 1, record
        if test_database.is_postgres:
            assert _database_connections(test_database) == WORKERS  # one per worker, open before any request
        else:
            database_file = test_database.url.removeprefix("sqlite:///")
            for pid in warmed:
                assert database_file in _opened_files(pid), pid
        assert not [record for record in server.records() if record["name"] == "gunicorn.access"]
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        assert httpx.get(f"{server.url}/openapi.json", timeout=10).status_code == 200


def test_a_worker_whose_database_is_unreachable_at_boot_still_starts_and_answers_healthz(tmp_path):
    with socket_nobody_listens_on() as port:
        unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{port}/hub"
        with gunicorn(tmp_path, unreachable) as server:
            warmed = server.wait_until_warmed(WORKERS)
            for record in warmed.values():
                assert record["failed"] == ["database"], record
                assert {"texts", "token", "platform_client"} <= set(record["warmed"]), record
                assert record["pooled_connections"] == 0, record
            warnings = [r for r in server.records() if r["message"] == "worker warm-up step failed"]
            assert {(r["level"], r["step"]) for r in warnings} >= {("WARNING", "database")}
            assert {r["error_type"] for r in warnings if r["step"] == "database"} == {"OperationalError"}
            assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
            assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 503
            assert server.workers() == set(warmed)  # the same workers: none failed and was replaced


@contextlib.contextmanager
def socket_nobody_listens_on() -> Iterator[int]:
    """A port bound but not listening, for the test's life: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
