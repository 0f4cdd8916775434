"""What every benchmark needs to run the hub from outside: processes, a database, the hub's own CLI.

A benchmark never imports the hub (``api/``, ``services/``, ``notifications/``) nor the tests
(``tests/test_bench_guard.py`` holds that): it migrates with ``alembic upgrade head``, seeds with
``flask sandbox seed-load`` (README, "Benchmarks"), serves with ``gunicorn wsgi:app`` and reads what happened over
HTTP, each in its own process. The stand-ins the hub talks to run as processes too: the sandbox platform
(``python -m simulator``) and the fake FCM server (``python -m tests.fakes.fcm_server``, started, never imported).

The read and intake benchmarks (``me_reads``, ``platform_intake``) also use ``Stack`` (the hub and its sandbox as
``make run`` starts them, residents signed in over HTTP), ``wrk`` and ``open_loop``. The machine is shared, so every
figure is reported with the load average before the run, and compared with a reference measured in the same run
(``/healthz`` on the same server, a plain client against the same fake).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from sqlalchemy import Connection, create_engine, make_url, text

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

    def analyze(self) -> None:
        """PostgreSQL: fresh planner statistics after a bulk load, as autovacuum would gather them within a minute
        on a server with it on (the default, and what the runbook asks for). This machine's PostgreSQL runs with
        autovacuum off, so without this the reads would be measured on plans made for empty tables."""
        if self.server_url:
            with self._connection(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))

    def scalar(self, sql: str) -> object:
        """One value read straight from the database (what happened, checked after a run)."""
        with self._connection() as connection:
            return connection.scalar(text(sql))

    @contextlib.contextmanager
    def _connection(self, **options: object) -> Iterator[Connection]:
        engine = create_engine(self.url.replace("postgresql://", "postgresql+psycopg://", 1), **options)
        try:
            with engine.connect() as connection:
                yield connection
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

    def spawn(self, *, stdout: int = subprocess.DEVNULL) -> Process:
        """Start the command without waiting for it to be ready (the caller knows when it is)."""
        stderr = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=stdout, stderr=stderr, start_new_session=True
        )
        return self

    def start(self) -> Process:
        self.spawn(stdout=subprocess.PIPE if self.ready_url is None else subprocess.DEVNULL)
        assert self.process is not None
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


def gunicorn(
    env: dict[str, str],
    port: int,
    *,
    workers: int = 1,
    threads: int = 4,
    log: Path | None = None,
    production: bool = False,
) -> Process:
    """``gunicorn wsgi:app`` (gthread), ready when ``/healthz`` answers. ``production=True`` starts it as production
    does, with ``-c gunicorn.conf.py`` (settings checked first, the hub's JSON access log, request limits, no banner,
    metrics directory); the workers and threads given here win over the file's ``WEB_CONCURRENCY``/``WEB_THREADS``."""
    command = [
        str(BIN / "gunicorn"),
        *(["-c", "gunicorn.conf.py"] if production else []),
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
    it, as for ``make stack``), which the hub's ``FCM_CREDENTIALS_PATH`` names. ``fast=True`` runs
    ``tests.fakes.fast_fcm_server`` instead (asyncio, counts only, built for throughput, so a fan-out's figure is
    the hub's and not its double's); same endpoints, same answers."""

    def __init__(self, folder: Path, delay_ms: float = 0, *, fast: bool = False) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.project = FCM_PROJECT_ID
        self.service_account = folder / "fcm-service-account.json"
        ensure_service_account(self.service_account, f"{self.url}/token")
        module = "tests.fakes.fast_fcm_server" if fast else "tests.fakes.fcm_server"
        command = [sys.executable, "-m", module, "--port", str(self.port), "--no-record"]
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


VENV_BIN = ROOT / ".venv" / "bin"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 (a grant type, not a secret)
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105

# wrk script: round-robin over the tokens in BENCH_TOKENS (one a line), one JSON summary line at the end.
WRK_SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local counter = 0
local extra = os.getenv("BENCH_HEADER")
request = function()
  counter = counter + 1
  local headers = {}
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1] end
  if extra and extra ~= "" then
    local name, value = extra:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  return wrk.format("GET", nil, headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_s":%f,"non2xx":%d,"socket_errors":%d,"p50_ms":%f,"p99_ms":%f,"mean_ms":%f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> str:
    return f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs"


def wait_http(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited: " + log.read_text()[-3000:])
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{url} did not answer: " + log.read_text()[-3000:])


def fresh_postgres_database(server_url: str, name: str) -> str:
    """Create (again) database ``name`` on the PostgreSQL server at ``server_url``; its URL."""
    for command in (["dropdb", "--if-exists", "--force", name], ["createdb", name]):
        subprocess.run([*command, "--maintenance-db", server_url], check=True, capture_output=True)
    return server_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(server_url: str, name: str) -> None:
    subprocess.run(["dropdb", "--if-exists", "--force", name, "--maintenance-db", server_url], capture_output=True)


class Stack:
    """A hub (gunicorn) and its sandbox, each its own process, in a temporary folder; ``env`` overrides."""

    def __init__(self, folder: Path, *, hub_port: int, sandbox_port: int, env: dict[str, str] | None = None):
        self.folder, self.hub_port, self.sandbox_port = folder, hub_port, sandbox_port
        self.hub_url, self.sandbox_url = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{sandbox_port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'hub.db'}",
            "SIGNING_KEYS_PATH": str(folder / "signing-keys.json"),
            "SANDBOX_URL": self.sandbox_url,
            "PLATFORM_URL": f"{self.sandbox_url}/platform",
            "OIDC_ISSUER": f"{self.sandbox_url}/idp",
            "STAFF_OIDC_ISSUER": f"{self.sandbox_url}/staff-idp",
            "PUBLIC_URL": self.hub_url,
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        self.processes: list[subprocess.Popen] = []

    def run(self, *command: str) -> str:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{' '.join(command)} failed: {done.stderr[-3000:]}")
        return done.stdout

    def migrate_and_seed(self) -> None:
        self.run(str(VENV_BIN / "alembic"), "upgrade", "head")
        self.run(str(VENV_BIN / "python"), "-m", "flask", "--app", "composition:create_app", "sandbox", "seed")

    def start_sandbox(self, residents: int = 1000) -> None:
        log = self.folder / "sandbox.log"
        process = subprocess.Popen(
            [
                str(VENV_BIN / "python"),
                "-m",
                "simulator",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.sandbox_port),
                "--residents",
                str(residents),
                "--public-url",
                self.sandbox_url,
                "--hub-events-url",
                f"{self.hub_url}/v1/platform/events",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        self.processes.append(process)
        wait_http(f"{self.sandbox_url}/idp/.well-known/openid-configuration", process, log)

    def start_hub(self, workers: int = 1, threads: int = 8) -> subprocess.Popen:
        log = self.folder / "gunicorn.log"
        process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.hub_port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        self.processes.append(process)
        wait_http(f"{self.hub_url}/healthz", process, log)
        return process

    def sign_in(self, persona: str, client_id: str = "sandbox-app") -> str:
        """A resident's hub access token, the way an app gets one: the sandbox IdP's ID token, exchanged."""
        id_token = httpx.post(f"{self.sandbox_url}/idp/test-login", json={"persona": persona}, timeout=10).json()
        exchanged = httpx.post(
            f"{self.hub_url}/v1/auth/token",
            json={
                "grant_type": TOKEN_EXCHANGE,
                "subject_token": id_token["id_token"],
                "subject_token_type": ID_TOKEN_TYPE,
                "client_id": client_id,
            },
            timeout=30,
        )
        exchanged.raise_for_status()
        return exchanged.json()["access_token"]

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()


def wrk(
    url: str, tokens: list[str], *, seconds: int, connections: int, rate: int | None = None, header: str = ""
) -> dict:
    """One wrk run against ``url``; tokens used round-robin. ``rate``: a fixed request rate (wrk2's ``-R`` is
    not in Debian's wrk: a fixed rate is ``open_loop``'s)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as folder:
        script, tokens_file = Path(folder) / "bench.lua", Path(folder) / "tokens"
        script.write_text(WRK_SCRIPT)
        tokens_file.write_text("\n".join(tokens))
        env = {**os.environ, "BENCH_TOKENS": str(tokens_file), "BENCH_HEADER": header}
        command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s", str(script), url]
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    result = json.loads([line for line in output.splitlines() if line.startswith("{")][-1])
    result["rps"] = result["requests"] / result["duration_s"]
    return result


OPEN_LOOP = r"""
import asyncio, json, sys, urllib.parse
url, rate, seconds, connections = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
offset, processes = int(sys.argv[5]), int(sys.argv[6])
tokens = open(sys.argv[7]).read().split() if len(sys.argv) > 7 else []
target = urllib.parse.urlsplit(url)
host, port, path = target.hostname, target.port or 80, target.path + (f"?{target.query}" if target.query else "")
def request(token):
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: {target.netloc}\r\n{auth}\r\n".encode()
requests = [request(t) for t in tokens] or [request(None)]
async def main():
    loop = asyncio.get_running_loop()
    queue, latencies, failures, statuses, codes = asyncio.Queue(), [], [0], [0], {}
    async def connection():
        reader = writer = None
        while True:
            item = await queue.get()
            if item is None:
                break
            due, raw = item
            try:
                reused = writer is not None
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                writer.write(raw)
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (OSError, asyncio.IncompleteReadError) as error:
                    # the server closed this idle keep-alive connection (gunicorn's keepalive, 2 s) before the
                    # request reached it: nothing was answered, so send it again on a new one, as HTTP clients do
                    if not reused or getattr(error, "partial", b""):
                        raise
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    writer.write(raw)
                    head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next((int(l.split(":", 1)[1]) for l in lines if l.lower().startswith("content-length:")), 0)
                await reader.readexactly(length)
                latencies.append(loop.time() - due)  # from when it was due: waiting for a connection counts
                if not lines[0].split()[1].startswith("2"):
                    statuses[0] += 1
                    codes[lines[0].split()[1]] = codes.get(lines[0].split()[1], 0) + 1
                if any(l.lower() == "connection: close" for l in lines):
                    writer.close(); reader = writer = None
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                failures[0] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
    workers = [asyncio.create_task(connection()) for _ in range(connections)]
    total, start, late = int(rate * seconds), loop.time() + 0.3, [0]
    for i in range(total):
        due = start + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late[0] += 1  # the driver itself sent this one more than 5 ms after it was due
        queue.put_nowait((due, requests[(i * processes + offset) % len(requests)]))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = loop.time() - start
    latencies.sort()
    def at(q):
        return latencies[min(len(latencies) - 1, int(len(latencies) * q))] * 1000 if latencies else float("nan")
    print(json.dumps({"requests": len(latencies), "rps": len(latencies) / elapsed, "rate": rate,
                      "non2xx": statuses[0], "socket_errors": failures[0], "p50_ms": at(.5), "p90_ms": at(.9),
                      "p99_ms": at(.99), "max_ms": at(1.0), "late": late[0], "codes": codes,
                      "latencies_ms": [round(x * 1000, 3) for x in latencies]}))
asyncio.run(main())
"""


def open_loop(
    url: str, tokens: list[str], *, rate: float, seconds: float, connections: int = 64, processes: int = 2
) -> dict:
    """Requests sent at a constant ``rate`` from separate processes whatever the answers do (open loop, as wrk2's
    ``-R``, which Debian's wrk lacks): ``processes`` asyncio clients started together, each sending ``rate /
    processes`` a second over its share of ``connections`` keep-alive connections, each request's latency counted
    from when it was due, so a server falling behind shows in the tail (no coordinated omission). One Python
    process on a loaded machine is late by itself (its own scheduling shows as the server's latency), so the rate
    is split; ``late`` counts requests a driver sent more than 5 ms after they were due, and ``static_server``
    (the same driver against a fixed answer) gives the driver's own floor. ``tokens`` round robin."""
    with tempfile.NamedTemporaryFile("w", suffix=".tokens") as tokens_file:
        tokens_file.write("\n".join(tokens))
        tokens_file.flush()
        share = max(1, connections // processes)
        running = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    OPEN_LOOP,
                    url,
                    str(rate / processes),
                    str(seconds),
                    str(share),
                    str(index),
                    str(processes),
                    tokens_file.name,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for index in range(processes)
        ]
        parts = []
        for process in running:
            output, _ = process.communicate()
            if process.returncode:
                raise SystemExit(f"open-loop driver failed ({process.returncode})")
            parts.append(json.loads(output.splitlines()[-1]))
    latencies = sorted(value for part in parts for value in part["latencies_ms"])

    def at(quantile: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * quantile))] if latencies else float("nan")

    return {
        "requests": len(latencies),
        "rps": sum(part["rps"] for part in parts),
        "rate": rate,
        "processes": processes,
        "non2xx": sum(part["non2xx"] for part in parts),
        "socket_errors": sum(part["socket_errors"] for part in parts),
        "late": sum(part["late"] for part in parts),
        "codes": {code: sum(part["codes"].get(code, 0) for part in parts) for part in parts for code in part["codes"]},
        "p50_ms": at(0.5),
        "p90_ms": at(0.9),
        "p99_ms": at(0.99),
        "max_ms": at(1.0),
    }


STATIC_SERVER = r"""
import asyncio, sys
BODY = b'{"status":"ok"}'
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY)
async def serve(reader, writer):
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(ANSWER)
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", int(sys.argv[1]), backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()
asyncio.run(main())
"""


def static_server(port: int) -> Process:
    """A fixed 200 answer from a bare asyncio server in its own process (no WSGI, no framework): what the
    open-loop driver measures against it is the driver's (and the machine's) own latency floor."""
    return Process([sys.executable, "-c", STATIC_SERVER, str(port)])
