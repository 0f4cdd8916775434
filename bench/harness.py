"""What every benchmark needs to run the hub from outside: processes, a database, the hub's own CLI.

A benchmark never imports the hub (``api/``, ``services/``, ``notifications/``) nor the tests
(``tests/test_bench_guard.py`` holds that): it migrates with ``alembic upgrade head``, seeds with
``flask sandbox seed-load`` (README, "Benchmarks"), serves with ``gunicorn wsgi:app`` and reads what happened over
HTTP, each in its own process. The stand-ins the hub talks to run as processes too: the sandbox platform
(``python -m simulator``) and the fake FCM server (``python -m tests.fakes.fcm_server``, started, never imported).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from sqlalchemy import create_engine, make_url, text

from ops.stack import FCM_PROJECT_ID, ensure_service_account

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def result_path(name: str, quick: bool) -> Path:
    """``bench/results/<name>.txt``; a quick run's figures go to ``bench/results/quick/`` (not kept in git)."""
    folder = RESULTS / "quick" if quick else RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.txt"


class Database:
    """A fresh database: SQLite in ``folder``, or on a PostgreSQL server a database ``name`` made and dropped."""

    def __init__(self, server_url: str | None, folder: Path, name: str) -> None:
        self.server_url = server_url
        self.name = name
        if server_url:
            server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
            self._admin_url = server
            self.url = server.set(database=name).render_as_string(hide_password=False)
            self.url = self.url.replace("postgresql+psycopg://", "postgresql://", 1)
        else:
            self.url = f"sqlite:///{folder / 'hub-bench.db'}"
        self.backend = "PostgreSQL" if server_url else "SQLite"

    def __enter__(self) -> Database:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server_url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, statement: str) -> None:
        admin = create_engine(self._admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def scalar(self, sql: str) -> object:
        """One value read straight from the database (what happened, checked after a run)."""
        url = self.url.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                return connection.scalar(text(sql))
        finally:
            engine.dispose()


def hub_environment(database: Database, folder: Path, port: int, **settings: str) -> dict[str, str]:
    """The environment of every hub process of one run: its database, signing keys and address, then ``settings``
    (upper-case names, as ``config.Settings`` reads them)."""
    return {
        **os.environ,
        "DATABASE_URL": database.url,
        "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "HUB_ENV": "development",
        "PYTHONPATH": str(ROOT),
        **settings,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True)


def flask(env: dict[str, str], *args: str) -> str:
    """``flask --app composition:create_app ARGS`` in its own process; its standard output."""
    command = [sys.executable, "-m", "flask", "--app", "composition:create_app", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return done.stdout


def seed_load(env: dict[str, str], residents: int, *options: str) -> tuple[str, float]:
    """``flask sandbox seed-load``: its summary line, and how long it took."""
    started = time.perf_counter()
    summary = flask(env, "sandbox", "seed-load", "--residents", str(residents), *options).strip()
    return summary, time.perf_counter() - started


class Process:
    """A command in its own process group (so a kill reaches its children, as gunicorn's workers), ready when
    ``ready_url`` answers (any status) or its first line of output appears."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        ready_url: str | None = None,
        log: Path | None = None,
        timeout: float = 60,
    ) -> None:
        self.command, self.env, self.ready_url, self.log, self.timeout = list(command), env, ready_url, log, timeout
        self.process: subprocess.Popen | None = None

    def start(self) -> Process:
        stderr = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE if self.ready_url is None else subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
        if self.ready_url is None:
            assert self.process.stdout is not None
            self.process.stdout.readline()
            return self
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                httpx.get(self.ready_url, timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        tail = self.log.read_text()[-3000:] if self.log else ""
        raise SystemExit(f"{self.command[0]} did not start: {tail}")

    def kill(self) -> None:
        """SIGKILL to the whole group at once: a machine dying, mid-whatever it was doing."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:  # graceful shutdown is not what is measured
            self.kill()

    def __enter__(self) -> Process:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sandbox(port: int) -> Process:
    """The sandbox platform and identity providers (``python -m simulator``), as ``make run`` starts them."""
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port), "--public-url", url]
    return Process(command, ready_url=url + "/")


def gunicorn(env: dict[str, str], port: int, *, workers: int = 1, threads: int = 4, log: Path | None = None) -> Process:
    """``gunicorn wsgi:app`` (gthread), ready when ``/healthz`` answers."""
    command = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    return Process(command, env=env, ready_url=f"http://127.0.0.1:{port}/healthz", log=log)


class FakeFCM(Process):
    """The fake FCM server in its own process, counting without recording, answering ``delay_ms`` after it
    accepted each push, and Google's token endpoint for a service-account file of its own (``ops/stack.py`` makes
    it, as for ``make stack``), which the hub's ``FCM_CREDENTIALS_PATH`` names."""

    def __init__(self, folder: Path, delay_ms: float = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.project = FCM_PROJECT_ID
        self.service_account = folder / "fcm-service-account.json"
        ensure_service_account(self.service_account, f"{self.url}/token")
        command = [sys.executable, "-m", "tests.fakes.fcm_server", "--port", str(self.port), "--no-record"]
        command += ["--delay-ms", str(delay_ms), "--service-account", str(self.service_account)]
        super().__init__(command, env={**os.environ, "PYTHONPATH": str(ROOT)})

    def access_token(self) -> str:
        """A token from the fake's token endpoint for the service account, as google-auth gets one."""
        from google.auth.transport.requests import Request
        from google.oauth2 import service_account

        scopes = ["https://www.googleapis.com/auth/firebase.messaging"]
        credentials = service_account.Credentials.from_service_account_file(str(self.service_account), scopes=scopes)
        credentials.refresh(Request())
        return credentials.token

    def settings(self) -> dict[str, str]:
        """What a hub process needs to push through it (the production settings, pointed here)."""
        return {
            "FCM_CREDENTIALS_PATH": str(self.service_account),
            "FCM_PROJECT_ID": self.project,
            "FCM_URL": self.url,
        }

    def stats(self) -> dict:
        return httpx.get(self.url + "/_fake/stats", timeout=5).json()

    def timings(self) -> dict:
        return httpx.get(self.url + "/_fake/timings", timeout=5).json()

    def reset(self) -> None:
        httpx.post(self.url + "/_fake/reset", timeout=5)


def wait_until(condition, *, timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


@contextlib.contextmanager
def all_stopped(*processes: Process) -> Iterator[None]:
    try:
        yield
    finally:
        for process in reversed(processes):
            process.stop()
