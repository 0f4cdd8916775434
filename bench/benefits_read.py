"""Read benchmark: ``GET /v1/me/benefits`` under gunicorn against a hub database of ≥ 100,000 residents with
stored snapshots, side by side with ``GET /healthz`` in the same run, driven from a separate process.

    .venv/bin/python bench/benefits_read.py [--residents 100000] [--database-url postgresql://…]
                                            [--workers 3] [--threads 4] [--connections 32] [--seconds 20]

Seeds a fresh database (SQLite in a temporary folder by default; with ``--database-url`` a PostgreSQL server,
on which a database ``bench_benefits_read`` is created and dropped), signs hub access tokens for a sample of
residents with the hub's own signing code, starts ``gunicorn wsgi:app`` pointed at that database, and drives
load with ``wrk`` (a Lua script picks a random resident's token per request) or, if wrk is not installed, a
threaded httpx client in its own process. Every source is fresh and ``PLATFORM_URL`` points at a closed port,
so a platform call on the hot path would show up as a source error (checked after the run). Writes the figures
to ``bench/results/benefits_read.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, func, make_url, select, text  # noqa: E402

from bench.seed_benefits import open_sessions, seed, touch_sources  # noqa: E402
from services.db import make_engine  # noqa: E402
from services.identity.hub_tokens import issue_access_token  # noqa: E402
from services.identity.signing_keys import load_signing_keys  # noqa: E402
from services.models.benefits import BenefitSource  # noqa: E402
from tests.database import upgrade  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "benefits_read.txt"
PG_DATABASE = "bench_benefits_read"
WRK_SCRIPT = """
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  if #tokens == 0 or os.getenv("BENCH_NO_AUTH") == "1" then return wrk.format("GET") end
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_s":%f,"non2xx":%d,"socket_errors":%d,"p50_ms":%f,"p99_ms":%f,"mean_ms":%f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str | None, folder: Path) -> tuple[str, callable]:
    if not url:
        return f"sqlite:///{folder / 'hub-bench.db'}", lambda: None
    server = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()

    bench_url = server.set(database=PG_DATABASE).render_as_string(hide_password=False)
    return bench_url.replace("postgresql+psycopg://", "postgresql://", 1), drop


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
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
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + log.read_text()[-2000:])


def run_wrk(url: str, tokens_file: Path, seconds: int, connections: int, threads: int, auth: bool) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    env = {**os.environ, "BENCH_TOKENS": str(tokens_file), "BENCH_NO_AUTH": "0" if auth else "1"}
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        script.name,
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return json.loads([line for line in output.splitlines() if line.startswith("{")][-1])


def python_driver(url: str, tokens_file: Path, seconds: int, connections: int, auth: bool) -> dict:
    """The fallback load generator: ``connections`` threads, one keep-alive client each; runs in this process,
    which the caller starts separately from the server."""
    tokens = tokens_file.read_text().split()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(timeout=10) as client:
            while time.monotonic() < stop:
                headers = {"Authorization": f"Bearer {random.choice(tokens)}"} if auth else {}
                started = time.perf_counter()
                status = client.get(url, headers=headers).status_code
                mine.append(time.perf_counter() - started)
                if status != 200:
                    with lock:
                        errors[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "duration_s": elapsed,
        "non2xx": errors[0],
        "socket_errors": 0,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
    }


def drive(url: str, tokens_file: Path, seconds: int, connections: int, auth: bool) -> dict:
    if shutil.which("wrk"):
        result = run_wrk(url, tokens_file, seconds, connections, threads=2, auth=auth)
        result["driver"] = "wrk"
        return result
    command = [
        sys.executable,
        __file__,
        "--drive",
        url,
        "--tokens-file",
        str(tokens_file),
        "--seconds",
        str(seconds),
        "--connections",
        str(connections),
        *([] if auth else ["--no-auth"]),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {**json.loads(output.splitlines()[-1]), "driver": "python httpx threads"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--tokens", type=int, default=5000, help="residents signed in (random per request)")
    parser.add_argument(
        "--worker-mode",
        choices=("celery", "inprocess"),
        default="celery",
        help="celery (default, as in production: periodic jobs run in Celery workers and beat, not in the web "
        "workers; nothing is queued during the run) or inprocess (the embedded default's ticker in each worker)",
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    parser.add_argument("--tokens-file", help=argparse.SUPPRESS)
    parser.add_argument("--no-auth", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        print(
            json.dumps(
                python_driver(args.drive, Path(args.tokens_file), args.seconds, args.connections, not args.no_auth)
            )
        )
        return

    folder = Path(tempfile.mkdtemp(prefix="bench-benefits-"))
    database_url, drop = prepare_database(args.database_url, folder)
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    keys_path = folder / "signing-keys.json"
    try:
        engine = make_engine(database_url)
        print(f"migrating and seeding {args.residents:,} residents into {engine.dialect.name} …")
        upgrade(engine)
        started = time.perf_counter()
        resident_ids = seed(engine, args.residents)
        seed_seconds = time.perf_counter() - started
        sample = random.Random(7).sample(resident_ids, min(args.tokens, len(resident_ids)))
        keys = load_signing_keys(str(keys_path), generate_if_missing=True)
        tokens = [
            issue_access_token(
                keys,
                issuer=public_url,
                subject=resident_id,
                kind="resident",
                session_id=session_id,
                client_id="sandbox-app",
                ttl_seconds=3600,
            )
            for resident_id, session_id in open_sessions(engine, sample)
        ]
        tokens_file = folder / "tokens.txt"
        tokens_file.write_text("\n".join(tokens) + "\n")
        touch_sources(engine)
        # seeded around the ORM: render what each resident sees, as a release's deploy step would
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "flask"), "--app", "composition:create_app", "resident-views", "render"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "HUB_ENV": "test", "SIGNING_KEYS_PATH": str(keys_path)},
            check=True,
        )

        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SIGNING_KEYS_PATH": str(keys_path),
            "PUBLIC_URL": public_url,
            "PLATFORM_URL": "http://127.0.0.1:9/platform",
            "LOG_LEVEL": "WARNING",
            "HUB_ENV": "development",
            "WORKER_MODE": args.worker_mode,
            "CELERY_BROKER_URL": args.broker_url,
            "DATABASE_POOL_SIZE": str(args.threads + 1),
        }
        server_log = folder / "gunicorn.log"
        server = start_gunicorn(env, port, args.workers, args.threads, server_log)
        try:
            check = httpx.get(f"{public_url}/v1/me/benefits", headers={"Authorization": f"Bearer {tokens[0]}"})
            body = check.json()
            assert check.status_code == 200, check.text
            assert {s["status"] for s in body["meta"]["sources"]} <= {"fresh", "not_linked"}, body["meta"]
            print(f"sample read: {len(body['data'])} benefits, {len(check.content):,} bytes; sources fresh")
            load = os.getloadavg()
            drive(f"{public_url}/healthz", tokens_file, 3, args.connections, auth=False)  # warm up
            drive(f"{public_url}/v1/me/benefits", tokens_file, 3, args.connections, auth=True)
            health = drive(f"{public_url}/healthz", tokens_file, args.seconds, args.connections, auth=False)
            benefits = drive(f"{public_url}/v1/me/benefits", tokens_file, args.seconds, args.connections, auth=True)
            during_load = server_log.read_text()
            if "Traceback" in during_load or '"ERROR"' in during_load:
                print("server errors during the load:\n" + during_load[-3000:])
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # graceful shutdown is not what is measured
                server.kill()
                server.wait()
        with engine.connect() as connection:
            errors = connection.scalar(select(func.count()).where(BenefitSource.error_at.is_not(None)))
        engine.dispose()
    finally:
        drop()
        shutil.rmtree(folder, ignore_errors=True)

    def rps(result: dict) -> float:
        return result["requests"] / result["duration_s"]

    lines = [
        f"benefits read benchmark — {args.residents:,} residents with stored snapshots "
        f"({engine.dialect.name}), {len(tokens):,} signed-in residents picked at random per request",
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average before the run {load[0]:.1f}",
        f"gunicorn wsgi:app, {args.workers} workers × {args.threads} threads (gthread), WORKER_MODE={args.worker_mode}; "
        f"driver: {benefits['driver']}, "
        f"{args.connections} connections, {args.seconds} s per endpoint, same server, same run",
        f"seeding: {seed_seconds:.1f} s",
        "",
        f"{'endpoint':<22}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}",
    ]
    for name, result in (("GET /healthz", health), ("GET /v1/me/benefits", benefits)):
        lines.append(
            f"{name:<22}{rps(result):>12.0f}{result['p50_ms']:>10.1f}{result['p99_ms']:>10.1f}"
            f"{result['non2xx'] + result['socket_errors']:>10}"
        )
    lines += [
        "",
        f"benefits / healthz throughput: {rps(benefits) / rps(health):.2f}",
        f"platform calls on the hot path: {errors} source errors recorded (PLATFORM_URL is a closed port)",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
