"""``make bench``: run every benchmark once, each in its own process, each writing its figures to
``bench/results/<name>.txt``.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]

``--quick`` (``make bench QUICK=1``) is a short run of each that shows it works; its figures go to
``bench/results/quick/`` instead (not kept in git). A new benchmark is a script in ``bench/`` that accepts
``--quick`` and writes its figures with ``bench.harness.result_path``, added to ``BENCHMARKS`` below. Benchmarks
drive the hub from outside and never import it or the tests (``tests/test_bench_guard.py``).

A script may appear more than once with different arguments (SQLite and PostgreSQL, or another fake): the
argument ``{postgres}`` stands for ``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``;
each script makes and drops its own database there). The machine has two cores: they run one after another,
never two at once, and each report gives the load average it ran under.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# Each script with the arguments of a full run (its defaults unless given here).
BENCHMARKS: list[tuple[str, list[str]]] = [
    ("me_reads.py", []),
    ("benefits_read.py", []),
    ("benefits_read.py", ["--database-url", "{postgres}"]),
    ("push_fanout.py", []),
    ("push_fanout.py", ["--fake", "fast", "--database-url", "{postgres}"]),
    ("push_fanout.py", ["--fake", "fast", "--workers", "celery", "--database-url", "{postgres}"]),
    ("push_crash.py", []),
    ("platform_intake.py", []),
    ("platform_intake.py", ["--database-url", "{postgres}", "--workers", "2"]),
    ("event_latency.py", []),
    ("event_latency.py", ["--celery", "--database-url", "{postgres}"]),
    ("sim_generate.py", []),
    ("reconciliation.py", ["--database-url", "{postgres}"]),
    ("partner_campaign.py", []),
    ("nudges_accuracy.py", ["--port", "18310"]),
    ("memory_soak.py", ["--database-url", "{postgres}"]),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run of each benchmark")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these scripts only (e.g. push_fanout)")
    args = parser.parse_args()
    chosen = [(script, extra) for script, extra in BENCHMARKS if not args.only or Path(script).stem in args.only]
    failed = []
    for script, extra in chosen:
        arguments = [argument.format(postgres=POSTGRES) for argument in extra]
        command = [sys.executable, str(BENCH / script), *arguments, *(["--quick"] if args.quick else [])]
        print(f"== {script} {' '.join(command[2:])}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command, cwd=BENCH.parent)
        print(f"== {script}: {'ok' if done.returncode == 0 else 'FAILED'} in {time.perf_counter() - started:.0f} s\n")
        if done.returncode:
            failed.append(" ".join([script, *extra]))
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
