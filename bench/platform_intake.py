"""Platform change-event intake measured from outside: signed ``POST /v1/platform/events`` from a separate
process against make run's embedded default (SQLite, in-process worker, gunicorn 1 × 8 threads), beside
``/healthz`` on the same server in the same run.

    .venv/bin/python bench/platform_intake.py [--events 3000] [--connections 16] [--database-url …] [--quick]

The events are the platform's own shape: each names a record of maria, james or ana (linked at their sign-in)
and carries exactly what the sandbox's DHS or DCEO feed returns for it, with a fresh event id and a later
``occurred_at`` each time, so every one is a newer view of a linked record that the hub checks, orders, stores
(the source's ``as_of`` moves, the resident's stored reads are rendered again) and remembers by id. Imports
nothing from the hub. Appends to ``bench/results/platform_intake.txt`` (``--quick``: to ``bench/results/quick/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.harness import (  # noqa: E402
    Stack,
    drop_postgres_database,
    free_port,
    fresh_postgres_database,
    load_average,
    machine,
    result_path,
    wrk,
)

SECRET = "bench-platform-events-secret"  # noqa: S105 (the bench's own, given to the hub it starts)
PLATFORM_KEY = "sandbox-platform-key"
RECORDS = [("DHS", "IES100200301", "/dhs/clients/{}/cases"), ("DCEO", "EA100200403", "/dceo/applicants/{}")]

DRIVER = r"""
import hashlib, hmac, json, sys, threading, time, httpx
url, secret, connections = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
bodies = [line.encode() for line in sys.stdin.read().splitlines()]
latencies, statuses, lock, position = [], {}, threading.Lock(), [0]
def work():
    mine, seen = [], {}
    with httpx.Client(timeout=30) as client:
        while True:
            with lock:
                if position[0] >= len(bodies):
                    break
                body = bodies[position[0]]; position[0] += 1
            stamp = int(time.time())
            signature = "v1=" + hmac.new(secret, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
            headers = {"Content-Type": "application/json", "X-Platform-Timestamp": str(stamp),
                       "X-Platform-Signature": signature}
            started = time.perf_counter()
            response = client.post(url, content=body, headers=headers)
            mine.append(time.perf_counter() - started)
            key = f"{response.status_code} {response.json().get('status', '')}"
            seen[key] = seen.get(key, 0) + 1
    with lock:
        latencies.extend(mine)
        for key, count in seen.items():
            statuses[key] = statuses.get(key, 0) + count
threads = [threading.Thread(target=work) for _ in range(connections)]
started = time.perf_counter()
[t.start() for t in threads]; [t.join() for t in threads]
elapsed = time.perf_counter() - started
latencies.sort()
print(json.dumps({"events": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
                  "p50_ms": latencies[len(latencies) // 2] * 1000, "p95_ms": latencies[int(len(latencies) * .95)] * 1000,
                  "p99_ms": latencies[int(len(latencies) * .99)] * 1000, "statuses": statuses}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="200 events and a 3-second /healthz run")
    args = parser.parse_args()
    health_seconds = 10
    if args.quick:
        args.events, health_seconds = 200, 3
    port = args.port or free_port()
    env = {"PLATFORM_EVENTS_SECRET": SECRET}
    if args.database_url:
        env["DATABASE_URL"] = fresh_postgres_database(args.database_url, "bench_platform_intake")
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(
            Path(folder),
            hub_port=port,
            sandbox_port=port + 1 if args.port else free_port(),
            env=env,
        )
        try:
            stack.start_sandbox()
            stack.migrate_and_seed()
            stack.start_hub(workers=args.workers, threads=args.threads)
            for persona in ("maria", "james", "ana"):
                stack.sign_in(persona)
            documents = []
            for agency, record_id, path in RECORDS:
                feed = httpx.get(
                    f"{stack.sandbox_url}/platform{path.format(record_id)}",
                    headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
                    timeout=10,
                )
                feed.raise_for_status()
                documents.append((agency, record_id, feed.json()))
            start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            bodies = []
            for i in range(args.events):
                agency, record_id, document = documents[i % len(documents)]
                occurred = start + dt.timedelta(milliseconds=10 * i)
                bodies.append(
                    json.dumps(
                        {
                            "event_id": f"evt_bench_{i:08d}_{int(time.time())}",
                            "type": "record.changed",
                            "agency": agency,
                            "record_id": record_id,
                            "occurred_at": occurred.isoformat().replace("+00:00", "Z"),
                            "document": document,
                        },
                        separators=(",", ":"),
                    )
                )
            load = load_average()
            health = wrk(stack.hub_url + "/healthz", [], seconds=health_seconds, connections=args.connections)
            driven = subprocess.run(
                [sys.executable, "-c", DRIVER, stack.hub_url + "/v1/platform/events", SECRET, str(args.connections)],
                input="\n".join(bodies),
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(driven.stdout.splitlines()[-1])
            load_after = load_average()
        finally:
            stack.stop()
            if args.database_url:
                drop_postgres_database(args.database_url, "bench_platform_intake")
    where = "PostgreSQL" if args.database_url else "make run's embedded default (SQLite"
    text = (
        f"platform events intake — {where}, in-process worker), gunicorn {args.workers} worker(s) × "
        f"{args.threads} threads\n{machine()}; load average before {load}, after {load_after}\n"
        f"command: .venv/bin/python bench/platform_intake.py --events {args.events} --connections {args.connections} "
        f"--workers {args.workers} --threads {args.threads}"
        + (" --database-url postgresql://…" if args.database_url else "")
        + "\n"
        f"driver: python httpx, {args.connections} threads in another process, each event signed as it is sent\n"
        f"GET /healthz (wrk, same server, same run): {health['rps']:.0f} req/s\n"
        f"POST /v1/platform/events: {result['events']} events in {result['seconds']:.1f} s = {result['rps']:.0f} "
        f"events/s; p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms\n"
        f"answers: {result['statuses']}\n"
    )
    print(text)
    with result_path("platform_intake", args.quick).open("a") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
