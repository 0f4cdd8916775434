"""Crash benchmark: how many duplicate pushes killing the hub's processes mid-send (SIGKILL) causes, and that none
is lost. The senders are the hub itself, each ``gunicorn wsgi:app`` with ``WORKER_MODE=inprocess`` (its ticker
dispatches the outbox and sends through the real FCMTransport, firebase-admin and its credentials included),
sharing one database and one fake FCM server in its own process, whose answers come back ``--delay-ms`` after it
accepted each push (the window a kill can fall into).

    .venv/bin/python bench/push_crash.py [--pushes 5000] [--workers 2] [--rounds 3] [--max-in-flight 32] [--quick]

Each round kills every sender at once (the whole process group: gunicorn and its worker, as a machine dying),
mid-send, and starts new ones straight away (as a supervisor would); their batches are taken back when the send
lease has run out (``notifications/delivery.py``). Driven from outside (``bench/harness.py``): seeded by
``flask sandbox seed-load --no-benefits --devices-per-resident 1``, counted from the fake's ``/_fake/stats`` and
the database. Uses a fresh SQLite database in a temporary folder (``--database-url postgresql://…`` for
PostgreSQL). Writes the figures to ``bench/results/push_crash.txt`` (``--quick``: to ``bench/results/quick/``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
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


class Senders:
    """``count`` hub processes, killed together and started again (each on a port of its own)."""

    def __init__(self, count: int, env: dict[str, str]) -> None:
        self.count = count
        self.env = env
        self.processes: list[Process] = []

    def start(self) -> None:
        self.processes = [gunicorn(self.env, free_port(), workers=1, threads=2).start() for _ in range(self.count)]

    def kill(self) -> None:
        for process in self.processes:
            process.kill()

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def count_sent(database: Database) -> int:
    return database.scalar("SELECT count(*) FROM push_deliveries WHERE state = 'sent'")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="hub processes sending at once")
    parser.add_argument("--rounds", type=int, default=3, help="times every sender is killed mid-send")
    parser.add_argument("--max-in-flight", type=int, default=32)
    parser.add_argument("--delay-ms", type=float, default=20, help="fake FCM's answer delay after accepting")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--deadline", type=float, default=900, help="seconds to wait for every push after the kills")
    parser.add_argument("--quick", action="store_true", help="a short run that shows the benchmark works")
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    if args.quick:
        args.pushes, args.rounds = 600, 1
    output = Path(args.output) if args.output else result_path("push_crash", args.quick)

    with (
        tempfile.TemporaryDirectory() as folder,
        Database(args.database_url or None, Path(folder), "bench_push_crash") as database,
        FakeFCM(Path(folder), delay_ms=args.delay_ms) as fake,
    ):
        env = hub_environment(
            database,
            Path(folder),
            free_port(),
            WORKER_MODE="inprocess",
            FCM_MAX_IN_FLIGHT=str(args.max_in_flight),
            **fake.settings(),
        )
        migrate(env)
        print(seed_load(env, args.pushes, "--no-benefits", "--devices-per-resident", "1")[0])
        total = args.pushes
        kills = []
        senders = Senders(args.workers, env)
        senders.start()
        started = time.perf_counter()
        try:
            for round_number in range(1, args.rounds + 1):
                threshold = total * round_number // (args.rounds + 1)
                wait_until(lambda threshold=threshold: fake.stats()["accepted"] >= threshold, timeout=600, every=0.005)
                senders.kill()
                kills.append({"at": fake.stats()["accepted"], "sent_recorded": count_sent(database)})
                senders.start()
            wait_until(lambda: count_sent(database) >= total, timeout=args.deadline, every=0.5)
            elapsed = time.perf_counter() - started
        finally:
            senders.stop()
        stats = fake.stats()
        sent = count_sent(database)
        backend = database.backend

    killed = args.rounds * args.workers
    lines = [
        "Push crash benchmark (bench/push_crash.py)",
        f"when: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; database: {backend}",
        f"{total:,} pushes, {args.workers} hub processes (gunicorn wsgi:app, WORKER_MODE=inprocess, FCMTransport "
        f"{args.max_in_flight} in flight each), fake FCM in its own process answering {args.delay_ms:g} ms after "
        "accepting; the send lease as in notifications/delivery.py",
        f"{args.rounds} rounds of SIGKILL to every hub process mid-send ({killed} killed), restarted at once:",
        *(
            f"  round {number}: killed when FCM had accepted {kill['at']:,} (hub had recorded {kill['sent_recorded']:,})"
            for number, kill in enumerate(kills, 1)
        ),
        "",
        f"recorded sent: {sent:,} of {total:,} in {elapsed:.1f} s; distinct devices reached: {stats['tokens']:,}; "
        f"lost: {total - stats['tokens']:,}",
        f"duplicate pushes: {stats['duplicates']:,} in all = {stats['duplicates'] / killed:.1f} per killed process "
        f"(bound: {args.max_in_flight} in flight per process + answers not yet committed)",
    ]
    report = "\n".join(lines) + "\n"
    output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
