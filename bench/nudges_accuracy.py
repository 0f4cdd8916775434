"""Nudges against the sandbox's ground truth: precision and recall of each kind on a generated population, fed
through the hub's real intake path, measured from outside.

    .venv/bin/python bench/nudges_accuracy.py [--residents 600] [--days 0,10,20] [--port 18310] [--quick]

The sandbox generates ``--residents`` people; each verified one signs in at its identity provider and the hub
links their cases through the person index and reads every agency with ``GET /v1/me/benefits?refresh=true`` (as
an app's first read does), then ``GET /v1/me/nudges`` answers what the hub's rules (services/nudges/rules.toml)
make of what the hub now holds. The truth is the sandbox's own (``GET /platform/sim/ground-truth``,
simulator/people/ground_truth.py): who is at risk or may qualify, from its people data, never from the hub's
rules. At each scenario day of ``--days`` (the sandbox's clock moved on, every resident read again) each kind is
counted: a nudge the truth holds is a true positive, one it does not a false alarm, a truth with no nudge a miss.
Unverified residents see no case data in the hub by design, so they are left out and counted. Nothing is
imported from the hub. Appends to ``bench/results/nudges_accuracy.txt`` (``--quick``: ``bench/results/quick/``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.harness import Stack, free_port, load_average, machine, result_path  # noqa: E402

RELAXED = {  # the benchmark signs in hundreds of residents from one address
    "RATE_LIMIT_SIGN_IN": "100000/minute",
    "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "100000/minute",
    "RATE_LIMIT_LINKS_PER_ADDRESS": "100000/hour",
    "READ_BUDGET_SECONDS": "10",  # a refresh waits for every agency (no source left stale for the measurement)
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=600)
    parser.add_argument("--days", default="0,10,20", help="scenario days to measure on, ascending")
    parser.add_argument("--port", type=int, default=0, help="the hub's port (the sandbox takes the next one)")
    parser.add_argument("--quick", action="store_true", help="40 residents on day 0: shows the benchmark works")
    args = parser.parse_args()
    if args.quick:
        args.residents, args.days = 40, "0"
    days = sorted({int(day) for day in args.days.split(",")})
    port = args.port or free_port()
    load_before = load_average()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(
            Path(folder),
            hub_port=port,
            sandbox_port=port + 1 if args.port else free_port(),
            env={**RELAXED, "WORKER_MODE": "inprocess"},
        )
        try:
            stack.start_sandbox(residents=args.residents)
            stack.migrate_and_seed()
            stack.start_hub(workers=1, threads=8)
            measured = measure(stack, args.residents, days)
        finally:
            stack.stop()
    text = report(args, days, measured, load_before, load_average(), time.perf_counter() - started)
    print(text)
    with result_path("nudges_accuracy", args.quick).open("a") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n" + text)
    return 0


def measure(stack: Stack, residents: int, days: list[int]) -> dict:
    truth0 = ground_truth(stack, residents)
    verified = [handle for handle, person in truth0["people"].items() if person["verified"]]
    tokens = {handle: stack.sign_in(handle) for handle in verified}
    counts: dict[str, Counter] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    day_now = 0
    for day in days:
        if day > day_now:
            moved = httpx.post(f"{stack.sandbox_url}/platform/sim/advance", json={"days": day - day_now}, timeout=120)
            moved.raise_for_status()
            day_now = day
        truth = ground_truth(stack, residents)
        for handle, token in tokens.items():
            shown = hub_nudges(stack, token)
            true = set(truth["people"][handle]["kinds"])
            for kind in truth["kinds"]:
                outcome = (
                    "tp"
                    if kind in shown and kind in true
                    else "fp"
                    if kind in shown
                    else "fn"
                    if kind in true
                    else None
                )
                if outcome:
                    counts[kind][outcome] += 1
                    if outcome != "tp" and len(examples[(kind, outcome)]) < 3:
                        examples[(kind, outcome)].append(f"{handle}@day{day}")
    return {
        "kinds": truth0["kinds"],
        "verified": len(verified),
        "unverified": len(truth0["people"]) - len(verified),
        "counts": counts,
        "examples": examples,
    }


def ground_truth(stack: Stack, residents: int) -> dict:
    response = httpx.get(
        f"{stack.sandbox_url}/platform/sim/ground-truth", params={"first": 1, "last": residents}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def hub_nudges(stack: Stack, token: str) -> set[str]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.hub_url, headers=headers, timeout=60) as client:
        client.get("/v1/me/benefits", params={"refresh": "true"}).raise_for_status()
        response = client.get("/v1/me/nudges", params={"limit": 200})
        response.raise_for_status()
        return {nudge["kind"] for nudge in response.json()["data"]}


def report(args, days: list[int], measured: dict, load_before: str, load_after: str, seconds: float) -> str:
    lines = [
        f"nudges accuracy — {args.residents} generated residents ({measured['verified']} verified, measured; "
        f"{measured['unverified']} unverified, who see no case data by design), scenario days {days}",
        f"{machine()}; load average before {load_before}, after {load_after}; {seconds:.0f} s in all",
        "truth: the sandbox's people data (GET /platform/sim/ground-truth); nudges: GET /v1/me/nudges after a "
        "refresh=true read of every agency; counts are resident-days",
        f"command: .venv/bin/python bench/nudges_accuracy.py --residents {args.residents} --days {args.days}",
        "",
        f"{'kind':28}{'truth':>7}{'shown':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>8}",
    ]
    for kind in measured["kinds"]:
        c = measured["counts"][kind]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        precision = f"{tp / (tp + fp):.3f}" if tp + fp else "n/a"
        recall = f"{tp / (tp + fn):.3f}" if tp + fn else "n/a"
        lines.append(f"{kind:28}{tp + fn:>7}{tp + fp:>7}{tp:>6}{fp:>6}{fn:>6}{precision:>11}{recall:>8}")
    misses = [
        f"  {kind} {'false alarms' if outcome == 'fp' else 'misses'}: {', '.join(found)}"
        for (kind, outcome), found in sorted(measured["examples"].items())
    ]
    if misses:
        lines += ["", "examples to look at (sandbox handles, not people):", *misses]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
