"""Sandbox generation benchmark: what a million generated residents cost to build and to run a scenario day.

    .venv/bin/python bench/sim_generate.py [--residents 1000000] [--seed 42]

Measures, in this order: the population (personas + the MPI match index over every resident's identity); the
change calendar for the first 120 scenario days (every resident built once, in worker processes); advancing one
scenario day (rendering each changed record's feed document into a signed-event body, no hub configured);
random single-resident builds and MPI matches. Writes the figures to ``bench/results/sim_generate.txt``
(``--quick``: 20,000 residents, to ``bench/results/quick/``). It measures the simulator's own code, in this
process: the simulator is a separate app, not the hub, which is never imported here.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import result_path  # noqa: E402
from simulator.clock import ScenarioClock  # noqa: E402
from simulator.people.generated import generated_identity, generated_resident  # noqa: E402
from simulator.scenario.calendar import WINDOW_DAYS  # noqa: E402
from simulator.scenario.state import Scenario  # noqa: E402
from simulator.settings import SimulatorSettings  # noqa: E402

START = date(2025, 3, 3)


def timed(label: str, lines: list[str], action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    lines.append(f"{label:<58} {seconds:8.2f} s")
    print(lines[-1], flush=True)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="a short run that shows the benchmark works")
    args = parser.parse_args()
    if args.quick:
        args.residents = 20_000
    n = args.residents
    lines = [
        f"sandbox generation benchmark — {n:,} generated residents, seed {args.seed}, day 0 = {START}",
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs",
        "",
    ]
    settings = SimulatorSettings(residents=n, seed=args.seed, start_date=START)
    clock = ScenarioClock(START)
    scenario, startup = timed(
        "start-up: personas + MPI match index (all identities)", lines, lambda: Scenario(settings, clock)
    )
    calendar_window, calendar_seconds = timed(
        f"change calendar, days 0-{WINDOW_DAYS - 1} (every resident built once)",
        lines,
        lambda: scenario.calendar.changes_on(1),
    )
    (summaries, emitted), advance_seconds = timed(
        "advance 1 day (render + sign-ready body per change)", lines, lambda: scenario.advance(1)
    )
    lines.append(f"  events emitted on day 1: {emitted:,} ({emitted / advance_seconds:,.0f} per second)")
    lines.append(f"  everything needed to serve and advance: {startup + calendar_seconds:.2f} s")

    sample = random.Random(1).sample(range(1, n + 1), min(n, 20_000))
    _, build_seconds = timed(
        f"build {len(sample):,} random residents (cold, no cache)",
        lines,
        lambda: [generated_resident(args.seed, i) for i in sample],
    )
    lines.append(f"  per resident: {build_seconds / len(sample) * 1e6:.1f} µs")
    identities = [generated_identity(args.seed, i)[:4] for i in sample]
    population = scenario.population
    matched, match_seconds = timed(
        f"MPI match of {len(sample):,} residents by verified attributes",
        lines,
        lambda: sum(population.match(g, f, b.isoformat(), s) is not None for g, f, b, s in identities),
    )
    lines.append(
        f"  per match: {match_seconds / len(sample) * 1e6:.1f} µs; {matched:,} matched (the rest have no agency record)"
    )
    lines.append(
        f"peak memory (this process, max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )

    out = result_path("sim_generate", args.quick)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
