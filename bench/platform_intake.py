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
import sqlalchemy  # noqa: E402

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
            answer = response.json()
            for one in answer.get("results", [answer]):
                key = f"{response.status_code} {one.get('status', '')}"
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
events = sum(statuses.values())
print(json.dumps({"requests": len(latencies), "events": events, "seconds": elapsed, "rps": events / elapsed,
                  "p50_ms": latencies[len(latencies) // 2] * 1000, "p95_ms": latencies[int(len(latencies) * .95)] * 1000,
                  "p99_ms": latencies[int(len(latencies) * .99)] * 1000, "statuses": statuses}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000, help="events per phase (single, then batched)")
    parser.add_argument("--residents", type=int, default=2000, help="seeded residents whose DHS records change")
    parser.add_argument("--batch", type=int, default=100, help="events per batched request")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (a fresh database is made on it)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="300 events per phase, 300 residents, 3 s of /healthz")
    args = parser.parse_args()
    health_seconds = 10
    if args.quick:
        args.events, args.residents, health_seconds = 300, 300, 3
    port = args.port or free_port()
    env = {"PLATFORM_EVENTS_SECRET": SECRET}
    if args.database_url:
        env["DATABASE_URL"] = fresh_postgres_database(args.database_url, "bench_platform_intake")
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder), hub_port=port, sandbox_port=port + 1 if args.port else free_port(), env=env)
        try:
            stack.start_sandbox()
            stack.migrate_and_seed()
            flask = [str(Path(sys.executable)), "-m", "flask", "--app", "composition:create_app", "sandbox"]
            stack.run(*flask, "seed-load", "--residents", str(args.residents))
            database = sqlalchemy.create_engine(
                stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
            )
            stack.start_hub(workers=args.workers, threads=args.threads)
            records = dhs_records(database)
            feed = httpx.get(
                f"{stack.sandbox_url}/platform/dhs/clients/{TEMPLATE_RECORD}/cases",
                headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
                timeout=10,
            )
            feed.raise_for_status()
            events = change_events(records, feed.json(), 2 * args.events)
            single = [json.dumps(e, separators=(",", ":")) for e in events[: args.events]]
            rest = events[args.events :]
            batched = [
                json.dumps({"events": rest[i : i + args.batch]}, separators=(",", ":"))
                for i in range(0, len(rest), args.batch)
            ]
            load = load_average()
            health = wrk(stack.hub_url + "/healthz", [], seconds=health_seconds, connections=args.connections)
            phases = {}
            for name, path, bodies in [
                ("single", "/v1/platform/events", single),
                ("batch", "/v1/platform/event-batches", batched),
            ]:
                started = time.perf_counter()
                driven = subprocess.run(
                    [sys.executable, "-c", DRIVER, stack.hub_url + path, SECRET, str(args.connections)],
                    input="\n".join(bodies),
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(driven.stdout.splitlines()[-1])
                result["applied_seconds"] = drained(database, started)
                phases[name] = result
            outcomes = dict(database.connect().execute(OUTCOMES).all())
            load_after = load_average()
        finally:
            stack.stop()
            if args.database_url:
                drop_postgres_database(args.database_url, "bench_platform_intake")
    where = "PostgreSQL" if args.database_url else "make run's embedded default (SQLite"
    text = (
        f"platform events intake — {where}, in-process worker), gunicorn {args.workers} worker(s) × "
        f"{args.threads} threads, {args.residents} residents, events spread over {len(records)} DHS records\n"
        f"{machine()}; load average before {load}, after {load_after}\n"
        f"command: .venv/bin/python bench/platform_intake.py --events {args.events} --residents {args.residents} "
        f"--batch {args.batch} --connections {args.connections} --workers {args.workers} --threads {args.threads}"
        + (" --database-url postgresql://…" if args.database_url else "")
        + "\n"
        f"driver: python httpx, {args.connections} threads in another process, each request signed as it is sent\n"
        f"GET /healthz (wrk, same server, same run): {health['rps']:.0f} req/s\n"
    )
    for name, result in phases.items():
        label = "POST /v1/platform/events" if name == "single" else f"POST /v1/platform/event-batches ({args.batch})"
        text += (
            f"{label}: {result['events']} events in {result['seconds']:.1f} s = {result['rps']:.0f} accepted "
            f"events/s; per request p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, p99 "
            f"{result['p99_ms']:.1f} ms; answers {result['statuses']}; all applied {result['applied_seconds']:.1f} s "
            f"after the first was sent = {result['events'] / result['applied_seconds']:.0f} applied events/s\n"
        )
    text += f"outcomes (platform_events): {outcomes}\n"
    print(text)
    with result_path("platform_intake", args.quick).open("a") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n" + text)
    return 0


OUTCOMES = sqlalchemy.text("SELECT outcome, count(*) FROM platform_events GROUP BY outcome")
TEMPLATE_RECORD = "IES100200301"  # maria's DHS record: what ``flask sandbox seed-load`` copies for every resident


def dhs_records(database) -> list[str]:
    with database.connect() as connection:
        query = "SELECT record_id FROM resident_links WHERE agency = 'DHS' ORDER BY record_id"
        return list(connection.scalars(sqlalchemy.text(query)))


def change_events(records: list[str], document: dict, count: int) -> list[dict]:
    """``count`` events round-robin over ``records``, each a newer view of the record (``occurred_at`` moves on),
    and every other one for a record with its first case's amount changed, so half change what residents see."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    stamp = int(time.time())
    changed = json.loads(json.dumps(document))
    first_case = changed["cases"][0]
    first_case["benefitAmount"] = f"{float(first_case['benefitAmount']) + 1:.2f}"
    events = []
    for i in range(count):
        record_id = records[i % len(records)]
        turn = i // len(records)
        events.append(
            {
                "event_id": f"evt_bench_{stamp}_{i:08d}",
                "type": "record.changed",
                "agency": "DHS",
                "record_id": record_id,
                "occurred_at": (start + dt.timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z"),
                "document": changed if turn % 2 == 0 else document,
            }
        )
    return events


def drained(database, started: float, timeout: float = 600) -> float:
    """Seconds from ``started`` until the hub's inbox is empty (every accepted event applied)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.connect() as connection:
            if not connection.scalar(sqlalchemy.text("SELECT count(*) FROM platform_event_inbox")):
                break
        time.sleep(0.1)
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
