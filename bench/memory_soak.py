"""Memory soak: every gunicorn web worker's resident set size over a 10-minute run of the resident's reads at 70 %
of the server's maximum, on PostgreSQL under the production gunicorn config.

    .venv/bin/python bench/memory_soak.py [--database-url postgresql://…] [--residents 20000] [--tokens 2000]
                                          [--minutes 10] [--workers 3] [--threads 4] [--quick]

A fresh database ``bench_memory_soak_<pid>`` on the PostgreSQL server is migrated (``alembic upgrade head``),
seeded from outside (``flask sandbox seed-load --sign-in`` against the sandbox platform, whose signed-in residents'
hub tokens it writes) and rendered (``flask resident-views render``); then ``gunicorn -c gunicorn.conf.py wsgi:app``
serves it, as in production. The maximum of each read (``/v1/me/benefits``, ``/v1/me``, ``/v1/me/actions``,
``/v1/me/notifications``) is measured first with wrk (closed loop, the signed-in residents round robin); then all
four are sent at once, each by its own open-loop driver process (``bench.harness.open_loop``) at 70 % of its
maximum divided by four, so the mix keeps the server 70 % busy. Every 12 s the RSS of every worker (the master's
children, read from ``/proc/<pid>/status``) is sampled. A worker is flat when, after the first minute, the mean of
the last fifth of its samples is within 10 % of the mean of the first fifth. ``--quick``: 60 s over a few hundred
residents (the first 12 s left out instead of a minute), figures in ``bench/results/quick/``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
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
    load_average,
    machine,
    migrate,
    open_loop,
    result_path,
    sandbox,
    seed_load,
    wrk,
)

ENDPOINTS = ("/v1/me/benefits", "/v1/me", "/v1/me/actions", "/v1/me/notifications")
SHARE = 0.7
TOLERANCE = 0.10


def workers_of(master: int) -> list[int]:
    """The pids whose parent is ``master`` (gunicorn's workers), from ``/proc``."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.append(int(entry.name))
    return sorted(children)


def rss_mib(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def sample_until(master: int, stop: threading.Event, every: float, started: float) -> dict[int, list[tuple]]:
    """(seconds since start, RSS MiB) per worker pid, every ``every`` seconds until ``stop``."""
    samples: dict[int, list[tuple[float, float]]] = {}
    while True:
        now = time.monotonic() - started
        for pid in workers_of(master):
            rss = rss_mib(pid)
            if rss is not None:
                samples.setdefault(pid, []).append((now, rss))
        if stop.wait(every):
            return samples


def flatness(series: list[tuple[float, float]], warm: float) -> tuple[float, float, float, int]:
    """Mean RSS of the first and last fifth of the samples after ``warm`` seconds, their change, how many."""
    kept = [rss for at, rss in series if at >= warm]
    fifth = max(1, len(kept) // 5)
    first, last = statistics.fmean(kept[:fifth]), statistics.fmean(kept[-fifth:])
    return first, last, (last - first) / first, len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--tokens", type=int, default=2_000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--every", type=float, default=12, help="seconds between RSS samples")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--quick", action="store_true", help="60 s over a few hundred residents")
    args = parser.parse_args()
    warm, max_seconds = 60.0, 10
    if args.quick:
        args.residents, args.tokens, args.minutes, warm, max_seconds = 300, 50, 1, 12.0, 3
    seconds = args.minutes * 60

    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    port, sandbox_port = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    tokens_file = folder / "tokens.txt"
    try:
        with Database(args.database_url, folder, f"bench_memory_soak_{os.getpid()}") as database:
            # tokens and sources outlive the run: a soak longer than the 15-minute defaults would otherwise end
            # in expired tokens (401) and stale sources (every read queuing a refresh from a closed platform)
            lasting = {"ACCESS_TOKEN_TTL_SECONDS": "7200", "FRESH_SECONDS": "7200"}
            platform = f"http://127.0.0.1:{sandbox_port}/platform"
            seeding = hub_environment(database, folder, port, PLATFORM_URL=platform, **lasting)
            print(f"migrating, and seeding {args.residents:,} residents into {database.backend} …", flush=True)
            migrate(seeding)
            with sandbox(sandbox_port):
                summary, _ = seed_load(
                    seeding, args.residents, "--sign-in", str(args.tokens), "--tokens-file", str(tokens_file)
                )
            print(summary, flush=True)
            flask(seeding, "resident-views", "render")
            database.analyze()
            tokens = tokens_file.read_text().split()
            serving = hub_environment(
                database,
                folder,
                port,
                PLATFORM_URL="http://127.0.0.1:9/platform",  # closed: the reads are the stored ones
                WORKER_MODE="celery",  # as in production: nothing but the web workers in the server
                CELERY_BROKER_URL=args.broker_url,
                DATABASE_POOL_SIZE=str(args.threads + 1),
                **lasting,
            )
            log = folder / "gunicorn.log"
            hub = gunicorn(serving, port, workers=args.workers, threads=args.threads, log=log, production=True)
            with hub:
                assert hub.process is not None
                check = httpx.get(f"{url}/v1/me/benefits", headers={"Authorization": f"Bearer {tokens[0]}"})
                assert check.status_code == 200, check.text
                load = load_average()
                maxima = {}
                for endpoint in ENDPOINTS:
                    wrk(url + endpoint, tokens, seconds=1, connections=args.connections)  # warm up
                    maxima[endpoint] = wrk(url + endpoint, tokens, seconds=max_seconds, connections=args.connections)
                    print(f"{endpoint}: maximum {maxima[endpoint]['rps']:.0f} req/s", flush=True)
                rates = {endpoint: SHARE * result["rps"] / len(ENDPOINTS) for endpoint, result in maxima.items()}
                paced: dict[str, dict] = {}
                stop, started = threading.Event(), time.monotonic()
                sampled: dict[str, dict] = {}
                sampler = threading.Thread(
                    target=lambda: sampled.update(
                        samples=sample_until(hub.process.pid, stop, args.every, started)  # type: ignore[union-attr]
                    )
                )
                sampler.start()

                def drive(endpoint: str) -> None:
                    paced[endpoint] = open_loop(
                        url + endpoint, tokens, rate=rates[endpoint], seconds=seconds, connections=16, processes=1
                    )

                drivers = [threading.Thread(target=drive, args=(endpoint,)) for endpoint in ENDPOINTS]
                print(f"soaking for {seconds:.0f} s at 70 % of the maximum …", flush=True)
                for driver in drivers:
                    driver.start()
                for driver in drivers:
                    driver.join()
                stop.set()
                sampler.join()
                load_after = load_average()
                server_log = log.read_text()
                errors_in_log = "Traceback" in server_log
                if errors_in_log:
                    print("server errors during the soak:\n" + server_log[-3000:])
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    samples = sampled["samples"]
    lines = [
        f"memory soak — {args.residents:,} residents (PostgreSQL), {len(tokens):,} signed in, round robin",
        f"{machine()}; load average before {load}; after {load_after}",
        f"gunicorn -c gunicorn.conf.py wsgi:app (production config), {args.workers} workers × {args.threads} threads; "
        f"{seconds:.0f} s at {SHARE:.0%} of the maximum, the four reads at once (one open-loop driver process each); "
        f"RSS of every worker every {args.every:.0f} s",
        "",
        f"{'endpoint':<24}{'max/s':>8}{'paced/s':>9}{'achieved':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}",
    ]
    for endpoint in ENDPOINTS:
        result = paced[endpoint]
        lines.append(
            f"{'GET ' + endpoint:<24}{maxima[endpoint]['rps']:>8.0f}{rates[endpoint]:>9.0f}{result['rps']:>10.0f}"
            f"{result['p50_ms']:>9.1f}{result['p99_ms']:>9.1f}{result['non2xx'] + result['socket_errors']:>8}"
            f"  {result['codes'] or ''}"
        )
    lines += ["", f"{'worker':<10}{'samples':>8}{'first fifth MiB':>17}{'last fifth MiB':>16}{'change':>9}  verdict"]
    verdicts = []
    for pid, series in sorted(samples.items()):
        first, last, change, count = flatness(series, warm)
        flat = abs(change) <= TOLERANCE
        verdicts.append(flat)
        lines.append(f"{pid:<10}{count:>8}{first:>17.1f}{last:>16.1f}{change:>+9.1%}  {'flat' if flat else 'NOT flat'}")
        lines.append("          " + " ".join(f"{rss:.0f}" for _, rss in series))
    lines += [
        "",
        f"flat (last fifth within {TOLERANCE:.0%} of the first fifth, after {warm:.0f} s): "
        f"{'yes, every worker' if verdicts and all(verdicts) else 'NO'}; server tracebacks: "
        f"{'yes' if errors_in_log else 'none'}",
    ]
    result_path("memory_soak", args.quick).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
