"""Platform event latency, accepted → FCM request, measured from outside: signed change events for residents with
a registered phone, each answered 202 by the hub, timed until the fake FCM server receives that phone's push.

    .venv/bin/python bench/event_latency.py [--events 200] [--rate 20] [--celery --database-url postgresql://…]

In-process (default, make run's embedded default: SQLite, gunicorn 1 × 8 threads, the in-process worker) or
``--celery`` (PostgreSQL, ``WORKER_MODE=celery``, Redis db 10 as broker unless ``--redis-url``, one ``celery -A
celery_worker worker`` process and one beat, as in production: the seeded campaign needs the dispatcher's tick).
Everything is its own process: the sandbox platform, gunicorn, the Celery worker, the fake FCM server
(``tests.fakes.fcm_server`` run as a program, whose ``/_fake/first-seen`` says when each phone's first request
arrived). Residents are seeded through the hub's CLI (``flask sandbox seed-load --devices-per-resident 1``, whose
campaign pushes are let through and forgotten before the run); each event changes the status of one resident's SNAP
case (a push-worthy change) and is sent open loop at ``--rate`` events/s from another process. ``GET /healthz`` from
the same server in the same run is the reference. Imports nothing from the hub. Appends to
``bench/results/event_latency.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
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
    ROOT,
    VENV_BIN,
    FakeFCM,
    Stack,
    drop_postgres_database,
    free_port,
    fresh_postgres_database,
    load_average,
    machine,
    result_path,
    wait_until,
    wrk,
)

SECRET = "bench-event-latency-secret"  # noqa: S105 (the bench's own, given to the hub it starts)
PLATFORM_KEY = "sandbox-platform-key"
TEMPLATE_RECORD = "IES100200301"  # maria's DHS record: what ``flask sandbox seed-load`` copies for every resident
DATABASE = "bench_event_latency"
REDIS = "redis://127.0.0.1:6379/10"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200, help="events, one per seeded resident")
    parser.add_argument("--rate", type=float, default=20, help="events per second, open loop")
    parser.add_argument("--celery", action="store_true", help="WORKER_MODE=celery on PostgreSQL (Redis db 10)")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default=REDIS)
    parser.add_argument("--database-name", default=DATABASE, help="the database made (and dropped) for --celery")
    parser.add_argument("--quick", action="store_true", help="50 events, 3 s of /healthz")
    args = parser.parse_args()
    health_seconds = 5
    if args.quick:
        args.events, health_seconds = 50, 3
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        fake = FakeFCM(folder)
        env = {"PLATFORM_EVENTS_SECRET": SECRET, **fake.settings()}
        if args.celery:
            env |= {
                "DATABASE_URL": fresh_postgres_database(args.database_url, args.database_name),
                "WORKER_MODE": "celery",
                "CELERY_BROKER_URL": args.redis_url,
            }
        stack = Stack(folder, hub_port=free_port(), sandbox_port=free_port(), env=env)
        workers: list[subprocess.Popen] = []
        try:
            fake.start()
            stack.start_sandbox()
            stack.migrate_and_seed()
            flask = [str(VENV_BIN / "python"), "-m", "flask", "--app", "composition:create_app", "sandbox"]
            stack.run(*flask, "seed-load", "--residents", str(args.events), "--devices-per-resident", "1")
            if args.celery:
                import redis

                redis.Redis.from_url(args.redis_url).flushdb()
                command = [str(VENV_BIN / "celery"), "-A", "celery_worker", "worker", "--concurrency", "2"]
                beat = [str(VENV_BIN / "celery"), "-A", "celery_worker", "beat", "--schedule", str(folder / "beat")]
                workers = [
                    subprocess.Popen(
                        [*one, "--loglevel", "warning"],
                        cwd=ROOT,
                        env=stack.env,
                        stdout=subprocess.DEVNULL,
                        stderr=(folder / f"{one[3]}.log").open("wb"),
                    )
                    for one in (command, beat)
                ]
                time.sleep(3)  # the worker connects to the broker
            stack.start_hub(workers=1, threads=8)
            if not wait_until(lambda: campaign_sent(fake, args.events), timeout=300):  # the seeded campaign's pushes
                raise SystemExit("the seeded campaign's pushes did not all reach the fake FCM")
            wait_until(lambda: quiet(fake, seconds=5), timeout=120)  # and nothing more arrives for 5 s
            fake.reset()
            database = sqlalchemy.create_engine(
                stack.env["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
            )
            with database.connect() as connection:
                links = connection.execute(
                    sqlalchemy.text("SELECT record_id, resident_id FROM resident_links WHERE agency = 'DHS'")
                ).all()
            feed = httpx.get(
                f"{stack.sandbox_url}/platform/dhs/clients/{TEMPLATE_RECORD}/cases",
                headers={"Authorization": f"Bearer {PLATFORM_KEY}"},
                timeout=10,
            ).json()
            feed["cases"][0]["statusCode"] = "CLSD"  # SNAP active → closed: a status change, pushed
            load = load_average()
            health = wrk(stack.hub_url + "/healthz", [], seconds=health_seconds, connections=8)
            accepted, refused = send(stack.hub_url, links, feed, args.rate)
            tokens = {f"load-token-{resident}-0": record for record, resident in links}
            seen: dict[str, float] = {}

            def all_seen() -> bool:
                seen.update(httpx.get(f"{fake.url}/_fake/first-seen", timeout=30).json())
                return all(token in seen for token in tokens)

            wait_until(all_seen, timeout=120, every=0.5)
            load_after = load_average()
        finally:
            stack.stop()
            for one in workers:
                one.terminate()
                one.wait(30)
            fake.stop()
            if args.celery:
                drop_postgres_database(args.database_url, args.database_name)
    measured = [seen[t] - accepted[r] for t, r in tokens.items() if t in seen and r in accepted]
    early = sum(1 for one in measured if one < 0)  # a seeded campaign push that arrived after the reset
    latencies = sorted(one for one in measured if one >= 0)
    mode = (
        f"WORKER_MODE=celery on PostgreSQL, 1 Celery worker (concurrency 2), Redis db "
        f"{args.redis_url.rsplit('/', 1)[-1]}, beat"
        if args.celery
        else "make run's embedded default (SQLite, in-process worker)"
    )
    text = (
        f"platform event → push latency — {mode}, gunicorn 1 worker × 8 threads, fake FCM in its own process\n"
        f"{machine()}; load average before {load}, after {load_after}\n"
        f"command: .venv/bin/python bench/event_latency.py --events {args.events} --rate {args.rate:g}"
        + (" --celery --database-url postgresql://…" if args.celery else "")
        + "\n"
        f"GET /healthz (wrk, same server, same run): {health['rps']:.0f} req/s\n"
        f"{len(accepted)} events accepted at {args.rate:g}/s open loop ({refused} not accepted); "
        f"{len(latencies)} pushes reached the fake FCM after their event ({early} phones' first request came "
        "before their event: left out)\n"
    )
    if latencies:
        text += (
            f"accepted (202) → FCM request: p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms\n"
        )
    print(text)
    with result_path("event_latency", args.quick).open("a") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n" + text)
    return 0


def campaign_sent(fake: FakeFCM, count: int) -> bool:
    try:
        return httpx.get(fake.url + "/_fake/stats", timeout=30).json()["accepted"] >= count
    except httpx.HTTPError:  # a loaded machine: ask again
        return False


def quiet(fake: FakeFCM, seconds: float) -> bool:
    """Whether the fake received nothing for ``seconds`` (its count did not move)."""
    before = httpx.get(fake.url + "/_fake/stats", timeout=30).json()
    time.sleep(seconds)
    return httpx.get(fake.url + "/_fake/stats", timeout=30).json() == before


def send(hub_url: str, links, document: dict, rate: float) -> tuple[dict[str, float], int]:
    """One event per linked record, open loop at ``rate``; when each was answered 202 (unix seconds)."""
    accepted: dict[str, float] = {}
    refused = 0
    start = dt.datetime.now(dt.UTC)
    began = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for i, (record_id, _) in enumerate(links):
            time.sleep(max(0.0, began + i / rate - time.perf_counter()))
            body = json.dumps(
                {
                    "event_id": f"evt_latency_{int(time.time())}_{i:06d}",
                    "type": "record.changed",
                    "agency": "DHS",
                    "record_id": record_id,
                    "occurred_at": (start + dt.timedelta(milliseconds=i)).isoformat().replace("+00:00", "Z"),
                    "document": document,
                },
                separators=(",", ":"),
            ).encode()
            stamp = int(time.time())
            signature = "v1=" + hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
            headers = {
                "Content-Type": "application/json",
                "X-Platform-Timestamp": str(stamp),
                "X-Platform-Signature": signature,
            }
            response = client.post(f"{hub_url}/v1/platform/events", content=body, headers=headers)
            if response.status_code == 202:
                accepted[record_id] = time.time()
            else:
                refused += 1
    return accepted, refused


if __name__ == "__main__":
    raise SystemExit(main())
