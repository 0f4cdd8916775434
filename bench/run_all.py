"""``make bench``: every benchmark, one after another (the machine has two cores: never two at once), each in its
own process, each writing its figures to ``bench/results/``; then ``bench/results/run_all.txt`` lists what ran,
how long it took and whether it finished.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME …]

PostgreSQL runs use ``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``; a fresh
database is made and dropped by each script). ``--quick`` runs smaller sizes (a smoke run, not the README's).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# name → (full arguments, quick arguments)
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "me_reads": (["bench/me_reads.py", "--seconds", "15"], ["bench/me_reads.py", "--seconds", "3"]),
    "benefits_read_sqlite": (
        ["bench/benefits_read.py"],
        ["bench/benefits_read.py", "--residents", "2000", "--seconds", "3"],
    ),
    "benefits_read_postgres": (
        ["bench/benefits_read.py", "--database-url", PG],
        ["bench/benefits_read.py", "--database-url", PG, "--residents", "2000", "--seconds", "3"],
    ),
    "push_fanout_fast_postgres": (
        ["bench/push_fanout_fast.py", "--devices", "50000", "--database-url", PG],
        ["bench/push_fanout_fast.py", "--devices", "2000", "--database-url", PG],
    ),
    "push_fanout": (["bench/push_fanout.py"], ["bench/push_fanout.py", "--devices", "2000"]),
    "push_crash": (["bench/push_crash.py"], ["bench/push_crash.py", "--pushes", "500", "--rounds", "1"]),
    "platform_intake_sqlite": (["bench/platform_intake.py"], ["bench/platform_intake.py", "--events", "200"]),
    "platform_intake_postgres": (
        ["bench/platform_intake.py", "--database-url", PG, "--workers", "2"],
        ["bench/platform_intake.py", "--events", "200", "--database-url", PG, "--workers", "2"],
    ),
    "sim_generate": (["bench/sim_generate.py"], ["bench/sim_generate.py", "--residents", "10000"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS))
    args = parser.parse_args()
    lines, failed = [], 0
    for name, (full, quick) in BENCHMARKS.items():
        if args.only and name not in args.only:
            continue
        command = [sys.executable, *(quick if args.quick else full)]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT)
        seconds = time.monotonic() - started
        failed += done.returncode != 0
        lines.append(
            f"{name:28} {'ok' if done.returncode == 0 else f'FAILED ({done.returncode})':12} {seconds:7.0f} s  "
            f"{' '.join(command[1:])}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    summary = f"make bench — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()}\n"
    (results / "run_all.txt").write_text(summary + "\n".join(lines) + "\n")
    print(summary + "\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
