"""Load and soak against a running ``make stack``, from outside: find the highest sustained rate, then soak at
a share of it while sampling the web workers' memory. Writes ``bench/results/load_soak.txt``.

    TRUSTED_PROXIES=1 make stack          # in one terminal (the residents arrive from many addresses)
    .venv/bin/python bench/load/run_load.py [--host http://127.0.0.1:8000] [--sandbox http://127.0.0.1:8100]
        [--steps 10,20,30,40,60,80] [--step-seconds 60] [--soak-seconds 600] [--soak-share 0.7]

Each step runs Locust headless (``bench/load/locustfile.py``) with that many users, every user asking for at
most one task a second, and measures after every user has started (``--reset-stats``). A step is *sustained*
when no request failed and the answered rate per resident or support user kept up with that of the first step
(≥ 95 %): a hub that falls behind answers fewer requests per user, long before anything times out. The soak runs at ``--soak-share``
of the highest sustained step's users; every ``--sample-seconds`` the resident set size (RSS, from ``/proc``)
of each gunicorn worker serving ``--host``'s port and of each Celery process is written down, and the soak
passes with no failed request and the web workers' memory flat: the mean of the last fifth of the samples
within 10 % of the mean of the first fifth after the first minute. Nothing here imports the hub or the tests.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
RESULTS = ROOT / "bench" / "results" / "load_soak.txt"
LOCUST = Path(sys.executable).parent / "locust"


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # "N/A": no request of that kind in the window
        return 0.0


def load_average() -> float:
    """The machine's 1-minute load average: on a shared machine, what else was running shows here."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def run_locust(args: argparse.Namespace, users: int, seconds: int, folder: Path, label: str) -> dict:
    """One headless Locust run; the aggregated figures of its steady state."""
    prefix = folder / label
    spawn_rate = max(1.0, users / 5)
    command = [
        str(LOCUST if LOCUST.exists() else shutil.which("locust")),
        "-f",
        str(LOCUSTFILE),
        "--host",
        args.host,
        "--sandbox",
        args.sandbox,
        "--sandbox-residents",
        str(args.sandbox_residents),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{seconds + int(users / spawn_rate) + 2}s",
        "--reset-stats",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(command, cwd=ROOT, check=False, capture_output=True, text=True)
    load = load_average()
    rows = list(csv.DictReader((folder / f"{label}_stats.csv").open()))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = list(csv.DictReader((folder / f"{label}_failures.csv").open()))
    return {
        "load": load,
        "users": users,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rate": _number(total["Requests/s"]),
        "p50": _number(total["50%"]),
        "p95": _number(total["95%"]),
        "p99": _number(total["99%"]),
        "max": _number(total["Max Response Time"]),
        "failure_kinds": [f"{row['Method']} {row['Name']}: {row['Error']} ×{row['Occurrences']}" for row in failures],
        "per_route": {
            row["Name"]: (int(row["Request Count"]), _number(row["50%"]), _number(row["95%"]))
            for row in rows
            if row["Name"] != "Aggregated"
        },
    }


# -- memory, from /proc ---------------------------------------------------------------------------------------------
def _processes() -> dict[int, tuple[int, str]]:
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError):
                continue
            table[int(entry.name)] = (parent, command)
    return table


def _rss_kib(pid: int) -> int | None:
    try:
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def web_workers(port: int) -> list[int]:
    """The gunicorn workers (children of the master) serving 127.0.0.1:<port>."""
    table = _processes()
    serving = {pid for pid, (_, command) in table.items() if "gunicorn" in command and f"127.0.0.1:{port}" in command}
    return sorted(pid for pid in serving if table[pid][0] in serving)


def celery_processes() -> list[int]:
    """The Celery processes of the stack run from this checkout (their working folder is its root), not those of
    any other checkout on the same machine."""
    found = []
    for pid, (_, command) in _processes().items():
        if "celery_worker" in command and " worker " in command:
            try:
                if Path(f"/proc/{pid}/cwd").resolve() == ROOT:
                    found.append(pid)
            except OSError:
                continue
    return sorted(found)


class Sampler(threading.Thread):
    def __init__(self, port: int, every: float) -> None:
        super().__init__(daemon=True)
        self.port, self.every = port, every
        self.samples: list[tuple[float, dict[int, int], int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        began = time.monotonic()
        while not self.stop.is_set():
            workers = {pid: _rss_kib(pid) or 0 for pid in web_workers(self.port)}
            celery = sum(_rss_kib(pid) or 0 for pid in celery_processes())
            self.samples.append((time.monotonic() - began, workers, celery))
            self.stop.wait(self.every)


def sandbox_deliveries(sandbox: str) -> dict:
    response = httpx.get(f"{sandbox}/platform/sim/events", params={"limit": 1}, timeout=10)
    return response.json().get("counts", {})


def fcm_stats(fcm: str | None) -> dict:
    if not fcm:
        return {}
    try:
        return httpx.get(f"{fcm}/_fake/stats", timeout=5).json()
    except httpx.HTTPError:
        return {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="http://127.0.0.1:8000")
    parser.add_argument("--sandbox", default="http://127.0.0.1:8100")
    parser.add_argument("--fcm", default="http://127.0.0.1:8200")
    parser.add_argument("--sandbox-residents", type=int, default=1000)
    parser.add_argument("--steps", default="10,20,30,40,60,80")
    parser.add_argument("--step-seconds", type=int, default=60)
    parser.add_argument("--soak-seconds", type=int, default=600)
    parser.add_argument("--soak-share", type=float, default=0.7)
    parser.add_argument("--sample-seconds", type=float, default=15)
    parser.add_argument("--soak-only-users", type=int, help="skip the steps and soak with this many users")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    port = urlsplit(args.host).port or 80
    if not web_workers(port):
        print(f"no gunicorn workers serve port {port}: start make stack first", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="hub-load-"))
    lines = [
        f"Load and soak on make stack, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs (Locust on the same machine); hub {args.host}, "
        f"{len(web_workers(port))} gunicorn workers, {len(celery_processes())} Celery processes",
        "scenario: bench/load/locustfile.py (16 residents : 2 support : 1 platform; ≤ 1 task per user per second)",
        "",
    ]
    sustained, ratio = None, None
    if args.soak_only_users:
        soak_users = args.soak_only_users
    else:
        lines.append("steps (steady state, after every user started)")
        lines.append("users  requests  failures  req/s  req/s/user  p50 ms  p95 ms  p99 ms  max ms  load  sustained")
        for users in [int(step) for step in args.steps.split(",")]:
            result = run_locust(args, users, args.step_seconds, folder, f"step{users}")
            per_user = result["rate"] / max(1, users - 1)  # the platform is one user of its own, far slower
            ratio = ratio or per_user
            ok = result["failures"] == 0 and per_user >= 0.95 * ratio
            lines.append(
                f"{users:5d}  {result['requests']:8d}  {result['failures']:8d}  {result['rate']:5.1f}  "
                f"{per_user:10.2f}  {result['p50']:6.0f}  {result['p95']:6.0f}  {result['p99']:6.0f}  "
                f"{result['max']:6.0f}  {result['load']:4.1f}  {'yes' if ok else 'no'}"
            )
            lines.extend(f"       failure: {kind}" for kind in result["failure_kinds"][:5])
            print(lines[-1], flush=True)
            if ok:
                sustained = result
            else:
                break
        if sustained is None:
            lines.append("no step was sustained")
            args.output.write_text("\n".join(lines) + "\n")
            return 1
        lines.append(
            f"highest sustained: {sustained['users']} users, {sustained['rate']:.1f} req/s with 0 errors "
            f"(p95 {sustained['p95']:.0f} ms)"
        )
        soak_users = max(1, round(sustained["users"] * args.soak_share))
    before_events, before_fcm = sandbox_deliveries(args.sandbox), fcm_stats(args.fcm)
    sampler = Sampler(port, args.sample_seconds)
    sampler.start()
    soak = run_locust(args, soak_users, args.soak_seconds, folder, "soak")
    sampler.stop.set()
    sampler.join()
    time.sleep(15)  # the last platform day's events and pushes
    after_events, after_fcm = sandbox_deliveries(args.sandbox), fcm_stats(args.fcm)
    settled = [sample for sample in sampler.samples if sample[0] >= 60] or sampler.samples
    fifth = max(1, len(settled) // 5)
    web_total = [sum(workers.values()) for _, workers, _ in settled]
    first, last = statistics.mean(web_total[:fifth]), statistics.mean(web_total[-fifth:])
    growth = (last - first) / first if first else 0.0
    flat = abs(growth) <= 0.10
    lines += [
        "",
        f"soak: {soak_users} users ({args.soak_share:.0%} of the sustained step) for {args.soak_seconds} s",
        f"  {soak['requests']} requests, {soak['failures']} failures, {soak['rate']:.1f} req/s, "
        f"p50 {soak['p50']:.0f} ms, p95 {soak['p95']:.0f} ms, p99 {soak['p99']:.0f} ms, max {soak['max']:.0f} ms; "
        f"machine load average at the end {soak['load']:.1f} on {os.cpu_count()} CPUs",
        *(f"  failure: {kind}" for kind in soak["failure_kinds"][:5]),
        "  per route (requests, p50 ms, p95 ms): "
        + "; ".join(f"{name} {n} {p50:.0f} {p95:.0f}" for name, (n, p50, p95) in sorted(soak["per_route"].items())),
        f"  platform events posted by the sandbox to the hub during the soak: "
        f"{json.dumps({k: after_events.get(k, 0) - before_events.get(k, 0) for k in after_events})}",
        f"  pushes accepted by the fake FCM server during the soak: "
        f"{after_fcm.get('accepted', 0) - before_fcm.get('accepted', 0)}",
        f"  web workers' RSS (sum over {len(settled[-1][1]) if settled else 0} workers, MiB), every "
        f"{args.sample_seconds:.0f} s from minute 1: " + " ".join(f"{total / 1024:.0f}" for total in web_total),
        "  Celery processes' RSS (sum, MiB): " + " ".join(f"{celery / 1024:.0f}" for _, _, celery in settled),
        f"  memory: first fifth {first / 1024:.1f} MiB, last fifth {last / 1024:.1f} MiB, "
        f"change {growth:+.1%} -> {'flat' if flat else 'NOT flat'}",
        f"  verdict: {'PASS' if soak['failures'] == 0 and flat else 'FAIL'} (0 errors and flat memory)",
    ]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if soak["failures"] == 0 and flat else 1


if __name__ == "__main__":
    sys.exit(main())
