"""The resident's reads on the embedded default, as a newcomer gets it from ``make run``: SQLite, the in-process
worker, gunicorn 1 worker × 8 threads, the sandbox beside it. Load from wrk (a separate process), 16
connections, maria/james/ana round robin, each endpoint side by side with ``/healthz`` on the same server in the
same run; then each endpoint, and ``/healthz`` as the reference, at half its measured maximum rate (open loop:
requests sent at a constant rate whatever the answers do, latency counted from when each was due) for its p50 and
p99.

    .venv/bin/python bench/me_reads.py [--seconds 15] [--connections 16] [--port 9500] [--quick]

Imports nothing from the hub: it migrates and seeds through the hub's CLI, signs in through the sandbox identity
provider and the hub's token exchange, and appends to ``bench/results/me_reads.txt`` (``--quick``: 3-second runs, to
``bench/results/quick/``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Stack, free_port, load_average, machine, open_loop, result_path, wrk  # noqa: E402

PERSONAS = ("maria", "james", "ana")
ENDPOINTS = ("/v1/me/benefits", "/v1/me", "/v1/me/actions", "/v1/me/notifications")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--label", default="")
    parser.add_argument("--quick", action="store_true", help="3-second runs that show the benchmark works")
    args = parser.parse_args()
    if args.quick:
        args.seconds = 3
    port = args.port or free_port()
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder), hub_port=port, sandbox_port=port + 1 if args.port else free_port())
        try:
            stack.start_sandbox()
            stack.migrate_and_seed()
            stack.start_hub(workers=1, threads=8)
            tokens = [stack.sign_in(persona) for persona in PERSONAS]
            for token in tokens:  # the first read fetches from the sandbox; the benchmark is of stored reads
                for endpoint in ENDPOINTS:
                    stack_get(stack, endpoint, token)
            load = load_average()
            lines, maxima = [], {}
            for endpoint in ENDPOINTS:
                wrk(stack.hub_url + "/healthz", [], seconds=3 if not args.quick else 1, connections=args.connections)
                health = wrk(stack.hub_url + "/healthz", [], seconds=args.seconds, connections=args.connections)
                read = wrk(stack.hub_url + endpoint, tokens, seconds=args.seconds, connections=args.connections)
                maxima.setdefault("/healthz", []).append(health["rps"])
                maxima[endpoint] = [read["rps"]]
                lines.append(row("GET /healthz", health))
                lines.append(row(f"GET {endpoint}", read))
                lines.append(f"  {endpoint} / healthz throughput: {read['rps'] / health['rps']:.2f}")
            halves = []
            for endpoint, rates in maxima.items():
                rate = statistics.median(rates) / 2
                result = open_loop(
                    stack.hub_url + endpoint, tokens if endpoint != "/healthz" else [], rate=rate, seconds=args.seconds
                )
                halves.append(half_row(f"GET {endpoint}", result))
            load_after = load_average()
        finally:
            stack.stop()
    header = (
        f"me reads benchmark {args.label}— make run's embedded default (SQLite, in-process worker), "
        f"gunicorn 1 worker × 8 threads\n{machine()}; load average before {load}, after {load_after}\n"
        f"driver: wrk -t2 -c{args.connections} -d{args.seconds}s from another process, maria/james/ana round robin; "
        "each endpoint next to /healthz in the same run\n"
        f"command: .venv/bin/python bench/me_reads.py --seconds {args.seconds} --connections {args.connections}\n\n"
        f"{'endpoint':32}{'requests/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>10}\n"
    )
    footer = "\n" + HALF_HEADER + "\n".join(halves) + "\n"
    text = header + "\n".join(lines) + "\n" + footer
    print(text)
    with result_path("me_reads", args.quick).open("a") as out:
        out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n" + text)
    return 0


def stack_get(stack: Stack, endpoint: str, token: str) -> None:
    import httpx

    response = httpx.get(stack.hub_url + endpoint, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    response.raise_for_status()


HALF_HEADER = (
    "at half the maximum rate (open loop from another process: a constant rate whatever the answers do, latency "
    "from when each request was due)\n"
    f"{'endpoint':32}{'rate/s':>10}{'achieved':>10}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'errors':>8}\n"
)


def half_row(name: str, result: dict) -> str:
    return (
        f"{name:32}{result['rate']:>10.0f}{result['rps']:>10.0f}{result['p50_ms']:>9.1f}{result['p90_ms']:>9.1f}"
        f"{result['p99_ms']:>9.1f}{result['non2xx'] + result['socket_errors']:>8}"
    )


def row(name: str, result: dict) -> str:
    return (
        f"{name:32}{result['rps']:>12.0f}{result['p50_ms']:>10.1f}{result['p99_ms']:>10.1f}"
        f"{result['non2xx'] + result.get('socket_errors', 0):>10}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
