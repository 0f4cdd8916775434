"""Crash benchmark: how many duplicate pushes killing sender processes mid-send (SIGKILL) causes, and that none
is lost. Sender processes (``tests/fakes/push_worker.py``: ``send_due_deliveries`` through the real
FCMTransport) share one database and one fake FCM server in its own process, whose answers come back
``--delay-ms`` after it accepted each push (the window a kill can fall into).

    .venv/bin/python bench/push_crash.py [--pushes 5000] [--workers 2] [--rounds 3] [--max-in-flight 32]

Each round kills every sender at once, mid-send, and starts new ones straight away (as a supervisor would);
their batches are taken back when the lease has run out. Uses a fresh SQLite database in a temporary folder
(``--database-url postgresql://…`` for PostgreSQL). Writes the figures to ``bench/results/push_crash.txt``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.push_fanout import Database, FakeFCMProcess, seed_campaign  # noqa: E402
from composition import build_hub  # noqa: E402
from config import Settings  # noqa: E402
from notifications.delivery import SENDING_LEASE  # noqa: E402
from notifications.dispatch import dispatch_outbox  # noqa: E402
from services.background import ManualRunner  # noqa: E402
from services.models.notifications import PushDelivery  # noqa: E402
from services.readiness import Readiness  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "push_crash.txt"


class Senders:
    """``count`` sender processes, killed together and started again."""

    def __init__(self, count: int, database_url: str, fcm_url: str, max_in_flight: int) -> None:
        self.command = [
            sys.executable,
            "-m",
            "tests.fakes.push_worker",
            "--database-url",
            database_url,
            "--fcm-url",
            fcm_url,
            "--max-in-flight",
            str(max_in_flight),
            "--project",
            "bench-project",
        ]
        self.count = count
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = [
            subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(self.count)
        ]
        for process in started:
            assert process.stdout.readline().strip() == "push worker ready"
        self.processes = started

    def kill(self) -> None:
        for process in self.processes:
            os.kill(process.pid, signal.SIGKILL)
        for process in self.processes:
            process.wait(10)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def count_sent(context) -> int:
    with context.session() as session:
        return session.scalar(select(func.count()).where(PushDelivery.state == "sent"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="times every sender is killed mid-send")
    parser.add_argument("--max-in-flight", type=int, default=32)
    parser.add_argument("--delay-ms", type=float, default=20, help="fake FCM's answer delay after accepting")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as folder,
        Database(args.database_url or None, Path(folder), name="bench_push_crash") as database,
    ):
        settings = Settings.from_env({}, hub_env="test", database_url=database.url, log_level="WARNING")
        context = build_hub(settings, engine=database.engine, readiness=Readiness(), runner=ManualRunner)
        seed_campaign(database.engine, args.pushes, 1)
        total = dispatch_outbox(context).deliveries
        kills = []
        with FakeFCMProcess(delay_ms=args.delay_ms) as fake:
            senders = Senders(args.workers, database.url, fake.url, args.max_in_flight)
            senders.start()
            started = time.perf_counter()
            try:
                for round_number in range(1, args.rounds + 1):
                    threshold = total * round_number // (args.rounds + 1)
                    while fake.stats()["accepted"] < threshold:
                        time.sleep(0.005)
                    senders.kill()
                    kills.append({"at": fake.stats()["accepted"], "sent_recorded": count_sent(context)})
                    senders.start()
                deadline = time.monotonic() + 10 * SENDING_LEASE.total_seconds() + 120
                while count_sent(context) < total and time.monotonic() < deadline:
                    time.sleep(0.5)
                elapsed = time.perf_counter() - started
            finally:
                senders.stop()
            stats = fake.stats()
        sent = count_sent(context)
        backend = "PostgreSQL" if args.database_url else "SQLite"

    killed = args.rounds * args.workers
    lines = [
        "Push crash benchmark (bench/push_crash.py)",
        f"when: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; database: {backend}",
        f"{total:,} pushes, {args.workers} sender processes (FCMTransport, {args.max_in_flight} in flight each), "
        f"fake FCM in its own process answering {args.delay_ms:g} ms after accepting; lease {SENDING_LEASE}",
        f"{args.rounds} rounds of SIGKILL to every sender mid-send ({killed} processes killed), restarted at once:",
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
    Path(args.output).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
