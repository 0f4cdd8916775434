"""Read benchmark: the resident's reads (``GET /v1/me/benefits``, ``/v1/me``, ``/v1/me/actions``,
``/v1/me/notifications``) under gunicorn against a hub database of ≥ 100,000 residents with stored snapshots, each
side by side with ``GET /healthz`` in the same run, driven from a separate process; then each at half its maximum
rate, open loop (``bench.harness.open_loop``), for its p50 and p99.

    .venv/bin/python bench/benefits_read.py [--residents 100000] [--database-url postgresql://…]
                                            [--workers 3] [--threads 4] [--connections 32] [--seconds 20]

Everything runs in its own process, the hub driven from outside (``bench/harness.py``): a fresh database (SQLite
in a temporary folder by default; with ``--database-url`` a PostgreSQL server, on which a database
``bench_benefits_read_<pid>`` (its own, beside other runs) is created and dropped) is migrated with ``alembic upgrade head`` and seeded with
``flask sandbox seed-load --residents N --sign-in T --tokens-file …`` against the sandbox platform
(``python -m simulator``, whose personas' records every resident gets), which signs T residents in and writes
their hub access tokens, then ``flask resident-views render`` stores what each resident sees (bulk seeding goes
around the store that renders it); then ``gunicorn wsgi:app`` is started on that database, and the benchmark drives
load with ``wrk`` (a Lua script picks a random resident's token per request) or, if wrk is not installed, a
threaded httpx client in its own process. The server is started as production starts it (``gunicorn -c
gunicorn.conf.py``: settings checked, JSON access log on, request limits). The paced run (half each maximum) is
``open_loop`` in two processes, first against a bare static answer (``static_server``), the driver's own floor. Every source is fresh and ``PLATFORM_URL`` points at a closed port,
so a platform call on the hot path would show up as a source error (checked after the run). Writes the figures
to ``bench/results/benefits_read.txt`` (``benefits_read_postgres.txt`` with ``--database-url``); ``--quick`` is a short run of a few hundred residents (``make bench
QUICK=1``), whose figures go to ``bench/results/quick/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
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

from bench.harness import (  # noqa: E402
    Database,
    flask,
    free_port,
    gunicorn,
    hub_environment,
    migrate,
    open_loop,
    result_path,
    sandbox,
    seed_load,
    static_server,
)

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


ENDPOINTS = ("/v1/me/benefits", "/v1/me", "/v1/me/actions", "/v1/me/notifications")


def rps(result: dict) -> float:
    return result["requests"] / result["duration_s"]


def render_stored_reads(
    how: str, env: dict[str, str], database: Database, folder: Path, port: int, tokens: list
) -> None:
    """Seeded in bulk, around the store: render what the residents see (``services/benefits/documents.py``).
    ``all``: ``flask resident-views render``, as a release's deploy step would (about 30 residents a second on
    this loaded machine: most of an hour for 100,000). ``signed-in``: only the residents the load reads, the way
    the hub renders a resident it finds without a document: a first read of each through a hub with the in-process
    worker (whose ``benefits.render_views`` job renders it), then that server is stopped; the other residents keep
    their rows and snapshots, without documents."""
    if how == "all":
        flask(env, "resident-views", "render")
        return
    warm = {**env, "WORKER_MODE": "inprocess", "PLATFORM_URL": "http://127.0.0.1:9/platform"}
    with gunicorn(warm, port, workers=1, threads=4, log=folder / "render.log"), httpx.Client(timeout=30) as client:
        for token in tokens:
            client.get(f"http://127.0.0.1:{port}/v1/me/benefits", headers={"Authorization": f"Bearer {token}"})
        # an unverified resident has no document (the full read answers them): wait until the count stops growing
        count, seen, deadline = "SELECT count(DISTINCT resident_id) FROM resident_views", -1, time.monotonic() + 600
        while (now := database.scalar(count)) != seen and now < len(tokens) and time.monotonic() < deadline:
            seen = now
            time.sleep(10)
    print(f"rendered the stored reads of {database.scalar(count):,} signed-in residents")


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
    parser.add_argument(
        "--render",
        choices=("signed-in", "all"),
        default="signed-in",
        help="whose stored reads to render before the load (see render_stored_reads)",
    )
    parser.add_argument("--quick", action="store_true", help="a short run that shows the benchmark works")
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
    if args.quick:
        args.residents, args.tokens, args.seconds = 300, 50, 2
        args.workers, args.threads, args.connections, args.worker_mode = 1, 2, 4, "inprocess"
    warm_up = 1 if args.quick else 3

    folder = Path(tempfile.mkdtemp(prefix="bench-benefits-"))
    port, sandbox_port = free_port(), free_port()
    public_url = f"http://127.0.0.1:{port}"
    tokens_file = folder / "tokens.txt"
    try:
        with Database(args.database_url, folder, f"bench_benefits_read_{os.getpid()}") as database:
            # seeding and rendering 100,000 residents takes longer than the 15-minute defaults: tokens would
            # expire (401) and sources turn stale (each read queuing a refresh) before the load ends
            lasting = {"ACCESS_TOKEN_TTL_SECONDS": "7200", "FRESH_SECONDS": "7200"}
            platform_url = f"http://127.0.0.1:{sandbox_port}/platform"
            seeding = hub_environment(database, folder, port, PLATFORM_URL=platform_url, **lasting)
            print(f"migrating, and seeding {args.residents:,} residents into {database.backend} …")
            migrate(seeding)
            with sandbox(sandbox_port):
                summary, seed_seconds = seed_load(
                    seeding, args.residents, "--sign-in", str(args.tokens), "--tokens-file", str(tokens_file)
                )
            print(summary)
            tokens = tokens_file.read_text().split()
            render_stored_reads(args.render, seeding, database, folder, port, tokens)
            database.analyze()
            serving = hub_environment(
                database,
                folder,
                port,
                PLATFORM_URL="http://127.0.0.1:9/platform",  # closed: a platform call would be a source error
                WORKER_MODE=args.worker_mode,
                CELERY_BROKER_URL=args.broker_url,
                DATABASE_POOL_SIZE=str(args.threads + 1),
                **lasting,
            )
            server_log = folder / "gunicorn.log"
            static_port = free_port()
            hub = gunicorn(serving, port, workers=args.workers, threads=args.threads, log=server_log, production=True)
            with hub, static_server(static_port):
                check = httpx.get(f"{public_url}/v1/me/benefits", headers={"Authorization": f"Bearer {tokens[0]}"})
                body = check.json()
                assert check.status_code == 200, check.text
                assert {s["status"] for s in body["meta"]["sources"]} <= {"fresh", "not_linked"}, body["meta"]
                print(f"sample read: {len(body['data'])} benefits, {len(check.content):,} bytes; sources fresh")
                load = os.getloadavg()
                drive(f"{public_url}/healthz", tokens_file, warm_up, args.connections, auth=False)
                results: list[tuple[str, dict, dict]] = []
                for endpoint in ENDPOINTS:
                    drive(f"{public_url}{endpoint}", tokens_file, warm_up, args.connections, auth=True)
                    health = drive(f"{public_url}/healthz", tokens_file, args.seconds, args.connections, auth=False)
                    read = drive(f"{public_url}{endpoint}", tokens_file, args.seconds, args.connections, auth=True)
                    results.append((endpoint, health, read))
                halves = []
                healthz_max = statistics.median(rps(health) for _, health, _ in results)
                sample = tokens[:1000]
                # the driver's own floor first: the same paced driver against a fixed answer at healthz's half rate
                paced = [("static answer", f"http://127.0.0.1:{static_port}/", healthz_max / 2)]
                paced += [("GET /healthz", f"{public_url}/healthz", healthz_max / 2)]
                paced += [(f"GET {e}", f"{public_url}{e}", rps(r) / 2) for e, _, r in results]
                for name, url, rate in paced:
                    half = open_loop(url, sample if "/v1/" in url else [], rate=rate, seconds=args.seconds)
                    halves.append((name, half))
                load_after = os.getloadavg()
                during_load = server_log.read_text()
                if "Traceback" in during_load or '"ERROR"' in during_load:
                    print("server errors during the load:\n" + during_load[-3000:])
            errors = database.scalar("SELECT count(*) FROM benefit_sources WHERE error_at IS NOT NULL")
            backend = database.backend
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    lines = [
        f"resident reads benchmark — {args.residents:,} residents with stored snapshots "
        f"({backend}), {len(tokens):,} signed-in residents picked at random per request",
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"load average before the run {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}; after {load_after[0]:.1f}",
        f"gunicorn -c gunicorn.conf.py wsgi:app (production config, JSON access log on), {args.workers} workers × "
        f"{args.threads} threads (gthread), WORKER_MODE={args.worker_mode}; "
        f"driver: {results[0][2]['driver']}, "
        f"{args.connections} connections, {args.seconds} s per endpoint, same server, same run",
        f"seeding (flask sandbox seed-load, its own process): {seed_seconds:.1f} s; stored reads rendered: {args.render}",
        "",
        f"{'endpoint':<26}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}{'/ healthz':>11}",
    ]
    for endpoint, health, read in results:
        for name, result in (("GET /healthz", health), (f"GET {endpoint}", read)):
            ratio = f"{rps(read) / rps(health):>11.2f}" if result is read else ""
            lines.append(
                f"{name:<26}{rps(result):>12.0f}{result['p50_ms']:>10.1f}{result['p99_ms']:>10.1f}"
                f"{result['non2xx'] + result['socket_errors']:>10}{ratio}"
            )
    lines += [
        "",
        f"at half the maximum rate (open loop: {halves[0][1]['processes']} driver processes, each sending its share "
        "at a constant rate whatever the answers do, latency from when each request was due; 'late': requests a "
        "driver itself sent > 5 ms after due; the static answer is a bare asyncio server: the driver's own floor)",
        f"{'endpoint':<26}{'rate/s':>10}{'achieved':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'late':>7}",
    ]
    for name, half in halves:
        lines.append(
            f"{name:<26}{half['rate']:>10.0f}{half['rps']:>10.0f}{half['p50_ms']:>9.1f}"
            f"{half['p90_ms']:>9.1f}{half['p99_ms']:>9.1f}{half['non2xx'] + half['socket_errors']:>8}"
            f"{half['late']:>7}"
        )
    lines += [
        "",
        f"platform calls on the hot path: {errors} source errors recorded (PLATFORM_URL is a closed port)",
    ]
    name = "benefits_read_postgres" if args.database_url else "benefits_read"
    result_path(name, args.quick).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
