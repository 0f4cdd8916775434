"""Fan-out benchmark: a campaign to ≥ 50,000 devices through the hub's own processes, outbox → dispatcher →
FCMTransport (real firebase-admin ``messaging.send``, credentials and all) → the fake FCM server in its own process;
and, in the same run against the same server, a plain HTTP client (httpx, one connection pool, threads) posting
the same requests.

    .venv/bin/python bench/push_fanout.py [--devices 50000] [--devices-per-resident 2] [--threads 64] [--quick]
                                          [--fake fast] [--database-url postgresql://…]
                                          [--workers celery [--concurrency 2] [--redis-url redis://…/9]]

The hub is driven from outside (``bench/harness.py``): a fresh database (SQLite in a temporary folder;
``--database-url postgresql://…`` for a database ``bench_push_fanout`` made and dropped on that server) migrated
by ``alembic upgrade head``, seeded by ``flask sandbox seed-load --no-benefits --devices-per-resident K`` (a
campaign notice per resident), then ``gunicorn wsgi:app`` with ``WORKER_MODE=inprocess`` and the production FCM
settings pointed at the fake (``FCM_CREDENTIALS_PATH``, ``FCM_URL``): its ticker dispatches the outbox and sends,
as the embedded default does. Timed from outside: from gunicorn's launch to the last push the fake accepted,
and from the first push accepted to the last (the send window). Writes the figures to
``bench/results/push_fanout.txt`` (``--quick``: a thousand devices, to ``bench/results/quick/``).

``--fake fast`` swaps the recording fake (``http.server``, a thread per connection, near 600 requests/s here:
below what the hub sends) for ``tests.fakes.fast_fcm_server`` (asyncio, counts only), so the figure is the hub's
and not its double's; its figures go to ``bench/results/push_fanout_fast.txt``.

``--workers celery`` runs production's topology instead of gunicorn: ``celery -A celery_worker worker``
(``--concurrency`` prefork processes, 2 by default: one per core) and one ``beat``, ``WORKER_MODE=celery`` on the
Redis broker ``--redis-url`` (database 9 by default, flushed first). Once a worker answers a ping the dispatch task
is queued from here (as beat would within two seconds); dispatch queues a send after each batch it commits, and
a send whose first batch is full queues one more, so both processes share the work. Timed from that submission
to the last push accepted; figures to ``bench/results/push_fanout[_fast]_celery.txt``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from celery import Celery  # noqa: E402

from bench.harness import (  # noqa: E402
    BIN,
    Database,
    FakeFCM,
    Process,
    free_port,
    gunicorn,
    hub_environment,
    migrate,
    result_path,
    seed_load,
    wait_until,
)


def fcm_request_body(token: str, index: int) -> dict:
    """The JSON firebase-admin posts for one of our pushes (same shape and size)."""
    return {
        "message": {
            "token": token,
            "notification": {"title": "Benefits update", "body": "You have an update about your benefits"},
            "data": {"message_id": f"{index:032x}", "category": "notices"},
            "android": {"priority": "normal", "collapse_key": f"{index:032x}"},
            "apns": {
                "headers": {"apns-priority": "5", "apns-push-type": "alert", "apns-collapse-id": f"{index:032x}"},
                "payload": {"aps": {"sound": "default"}},
            },
        }
    }


def run_plain_client(fake: FakeFCM, count: int, threads: int) -> dict:
    url = f"{fake.url}/v1/projects/{fake.project}/messages:send"
    headers = {"Authorization": f"Bearer {fake.access_token()}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    next_index = iter(range(count))
    lock = threading.Lock()
    ok = 0
    with httpx.Client(limits=limits, timeout=30) as client:

        def worker() -> int:
            done = 0
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return done
                response = client.post(url, json=fcm_request_body(f"plain-token-{index}", index), headers=headers)
                done += response.status_code == 200

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            ok = sum(pool.map(lambda _: worker(), range(threads)))
        elapsed = time.perf_counter() - started
    return {"requests": count, "ok": ok, "seconds": elapsed}


def run_hub(env: dict[str, str], port: int, fake: FakeFCM, database: Database, total: int, timeout: float) -> dict:
    """Launch the hub and wait, from outside, until the fake has accepted every push and the hub recorded them."""
    launched = time.perf_counter()
    with gunicorn(env, port, workers=1, threads=4):
        ready = time.perf_counter()
        reached = wait_until(lambda: fake.stats()["accepted"] >= total, timeout=timeout, every=0.05)
        finished = time.perf_counter()
        wait_until(lambda: sent(database) >= total, timeout=60, every=0.2)
    timings = fake.timings()
    window = (timings["last_accepted_at"] or 0) - (timings["first_accepted_at"] or 0)
    return {
        "reached": reached,
        "startup_seconds": ready - launched,
        "total_seconds": finished - launched,
        "send_seconds": window,
        "sent": sent(database),
        "messages": database.scalar("SELECT count(*) FROM notification_messages"),
        "accepted_by_server": fake.stats()["accepted"],
    }


def run_celery(
    env: dict[str, str], folder: Path, fake: FakeFCM, database: Database, total: int, args: argparse.Namespace
) -> dict:
    """Celery workers (prefork, ``--concurrency``) and beat on Redis, as in production: once the workers answer a
    ping, the dispatch task is queued from here (as beat would, every few seconds), and the run is timed from that
    submission to the last push the fake accepted."""
    flush = [sys.executable, "-c", f"import redis; redis.Redis.from_url({args.redis_url!r}).flushdb()"]
    subprocess.run(flush, check=True)
    celery_bin = str(BIN / "celery")
    worker_command = [celery_bin, "-A", "celery_worker", "worker", "--concurrency", str(args.concurrency)]
    worker_command += ["--without-mingle", "--without-gossip", "--loglevel", "warning", "--hostname", "fanout@%h"]
    beat_command = [celery_bin, "-A", "celery_worker", "beat", "--loglevel", "warning"]
    beat_command += ["--schedule", str(folder / "beat-schedule")]
    broker = Celery("push_fanout_bench", broker=args.redis_url)
    launched = time.perf_counter()
    worker = Process(worker_command, env=env, log=folder / "worker.log").spawn()
    beat = Process(beat_command, env=env, log=folder / "beat.log")
    try:
        if not wait_until(lambda: bool(broker.control.ping(timeout=0.5)), timeout=120, every=0.2):
            raise SystemExit("the Celery worker did not answer: " + (folder / "worker.log").read_text()[-3000:])
        ready = time.perf_counter()
        broker.send_task("notifications.dispatch")
        beat.spawn()
        reached = wait_until(lambda: fake.stats()["accepted"] >= total, timeout=args.timeout, every=0.05)
        finished = time.perf_counter()
        wait_until(lambda: sent(database) >= total, timeout=60, every=0.2)
    finally:
        beat.stop()
        worker.stop()
    timings = fake.timings()
    window = (timings["last_accepted_at"] or 0) - (timings["first_accepted_at"] or 0)
    return {
        "reached": reached,
        "startup_seconds": ready - launched,
        "total_seconds": finished - ready,
        "send_seconds": window,
        "sent": sent(database),
        "messages": database.scalar("SELECT count(*) FROM notification_messages"),
        "accepted_by_server": fake.stats()["accepted"],
    }


def hub_lines(args: argparse.Namespace) -> list[str]:
    if args.workers == "celery":
        return [
            f"hub: Celery (WORKER_MODE=celery): 1 worker, {args.concurrency} prefork processes, + beat, on Redis;",
            "  outbox -> notifications.dispatch -> notifications.send_deliveries -> FCMTransport",
        ]
    return [
        "hub: gunicorn wsgi:app (1 worker, WORKER_MODE=inprocess), its ticker: outbox -> dispatcher -> FCMTransport"
    ]


def sent(database: Database) -> int:
    return database.scalar("SELECT count(*) FROM push_deliveries WHERE state = 'sent'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50_000)
    parser.add_argument("--devices-per-resident", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64, help="plain client threads (and its pool size)")
    parser.add_argument("--max-in-flight", type=int, default=32, help="FCMTransport requests in flight at once")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the whole campaign")
    parser.add_argument("--quick", action="store_true", help="a short run that shows the benchmark works")
    parser.add_argument("--fake", choices=("recording", "fast"), default="recording", help="which fake FCM server")
    parser.add_argument(
        "--workers",
        choices=("inprocess", "celery"),
        default="inprocess",
        help="who dispatches and sends: the hub's gunicorn process (WORKER_MODE=inprocess) or Celery workers + beat",
    )
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes (--workers celery)")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="the Celery broker (flushed)")
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    if args.quick:
        args.devices, args.threads = 1000, 16
    fast = args.fake == "fast"
    name = ("push_fanout_fast" if fast else "push_fanout") + ("_celery" if args.workers == "celery" else "")
    output = Path(args.output) if args.output else result_path(name, args.quick)
    load = os.getloadavg()

    with (
        tempfile.TemporaryDirectory() as folder,
        Database(args.database_url or None, Path(folder), f"bench_{name}") as database,
        FakeFCM(Path(folder), fast=fast) as fake,
    ):
        port = free_port()
        env = hub_environment(
            database,
            Path(folder),
            port,
            WORKER_MODE=args.workers,
            CELERY_BROKER_URL=args.redis_url,
            FCM_MAX_IN_FLIGHT=str(args.max_in_flight),
            **fake.settings(),
        )
        migrate(env)
        residents = args.devices // args.devices_per_resident
        summary, seed_seconds = seed_load(
            env, residents, "--no-benefits", "--devices-per-resident", str(args.devices_per_resident)
        )
        print(summary)
        total = residents * args.devices_per_resident
        if args.workers == "celery":
            hub = run_celery(env, Path(folder), fake, database, total, args)
        else:
            hub = run_hub(env, port, fake, database, total, args.timeout)
        if not hub["reached"]:
            raise SystemExit(f"the hub sent {hub['accepted_by_server']:,} of {total:,} pushes in {args.timeout:g} s")
        fake.reset()
        plain = run_plain_client(fake, hub["sent"], args.threads)
        plain["accepted_by_server"] = fake.stats()["accepted"]
        backend = database.backend

    celery = args.workers == "celery"
    hub_rate = hub["sent"] / hub["total_seconds"]
    send_rate = hub["sent"] / hub["send_seconds"] if hub["send_seconds"] else float("nan")
    plain_rate = plain["ok"] / plain["seconds"]
    lines = [
        f"Push fan-out benchmark (bench/push_fanout.py --fake {args.fake})",
        f"when: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average before {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}; "
        f"database: {backend}",
        f"campaign: {residents:,} residents x {args.devices_per_resident} devices = {total:,} devices "
        f"(flask sandbox seed-load: {seed_seconds:.1f} s); fake FCM server "
        f"({'tests.fakes.fast_fcm_server, asyncio' if fast else 'tests.fakes.fcm_server'}) in its own process",
        "",
        *hub_lines(args),
        f"  (firebase-admin, <=500 a batch, {args.max_in_flight} in flight per process) -> fake FCM",
        f"  startup ({'launch to a worker answering ping' if celery else 'launch to /healthz'}): "
        f"{hub['startup_seconds']:.1f} s; {hub['messages']:,} messages written",
        f"  send window (first to last push accepted): {hub['send_seconds']:.1f} s, {send_rate:,.0f} pushes/s",
        f"  {'dispatch queued' if celery else 'launch'} to last push: {hub['sent']:,} sent "
        f"(server accepted {hub['accepted_by_server']:,}) in {hub['total_seconds']:.1f} s = {hub_rate:,.0f} pushes/s",
        "",
        f"plain HTTP client: httpx, one pool of {args.threads} connections, {args.threads} threads, same bodies",
        f"  {plain['ok']:,} requests in {plain['seconds']:.1f} s = {plain_rate:,.0f} requests/s "
        f"(server accepted {plain['accepted_by_server']:,})",
        "",
        f"send window vs plain client: {send_rate / plain_rate:.2f}x; end to end vs plain client: "
        f"{hub_rate / plain_rate:.2f}x",
    ]
    report = "\n".join(lines) + "\n"
    output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
