"""Fan-out against a fake FCM built for throughput (``tests.fakes.fast_fcm_server``, asyncio, its own process),
so the figure is the hub's: outbox → dispatcher → FCMTransport (real firebase-admin ``send_each``) → fake, and
in the same run a plain pooled httpx client posting the same requests to the same server.

    .venv/bin/python bench/push_fanout_fast.py [--devices 20000] [--database-url postgresql://…]
                                               [--max-in-flight 32] [--threads 64]

The campaign, the hub's run and the plain client are ``bench/push_fanout.py``'s; only the fake differs. Writes
``bench/results/push_fanout_fast.txt`` (appends one report per run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import push_fanout  # noqa: E402
from push_fanout import ROOT, Database, run_hub, run_plain_client, seed_campaign  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "push_fanout_fast.txt"


class FastFakeFCMProcess(push_fanout.FakeFCMProcess):
    def __enter__(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.fast_fcm_server",
                "--port",
                str(self.port),
                "--delay-ms",
                str(self.delay_ms),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.process.stdout.readline()
        return self


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=20_000)
    parser.add_argument("--devices-per-resident", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--max-in-flight", type=int, default=32)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    from composition import build_hub
    from config import Settings
    from services.background import ManualRunner
    from services.readiness import Readiness

    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as folder, Database(args.database_url or None, Path(folder)) as database:
        settings = Settings.from_env({}, hub_env="test", database_url=database.url, log_level="WARNING")
        context = build_hub(settings, engine=database.engine, readiness=Readiness(), runner=ManualRunner)
        residents = seed_campaign(database.engine, args.devices, args.devices_per_resident)
        with FastFakeFCMProcess() as fake:
            hub = run_hub(context, fake, args.max_in_flight)
            fake.reset()
            plain = run_plain_client(fake, hub["sent"], args.threads)
            plain["accepted_by_server"] = fake.stats()["accepted"]
    backend = "PostgreSQL" if args.database_url else "SQLite"
    hub_rate, send_rate = hub["sent"] / hub["total_seconds"], hub["sent"] / hub["send_seconds"]
    plain_rate = plain["ok"] / plain["seconds"]
    report = (
        "\n".join(
            [
                f"--- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores, Python {platform.python_version()}; "
                f"load average before {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f}; database: {backend}; in-process dispatch and send",
                f"command: .venv/bin/python bench/push_fanout_fast.py --devices {args.devices}"
                + (" --database-url …" if args.database_url else ""),
                f"campaign: {residents:,} residents x {args.devices_per_resident} devices = {hub['deliveries']:,} deliveries; "
                "fake FCM: tests.fakes.fast_fcm_server (asyncio) in its own process",
                f"  dispatch: {hub['dispatch_seconds']:.1f} s; send ({hub['batches']} batches, {args.max_in_flight} in flight): "
                f"{hub['send_seconds']:.1f} s = {send_rate:,.0f} pushes/s",
                f"  end to end: {hub['sent']:,} sent (server accepted {hub['accepted_by_server']:,}) in {hub['total_seconds']:.1f} s "
                f"= {hub_rate:,.0f} pushes/s",
                f"  plain httpx client ({args.threads} pooled connections/threads): {plain['ok']:,} in {plain['seconds']:.1f} s "
                f"= {plain_rate:,.0f} requests/s",
                f"  send vs plain: {send_rate / plain_rate:.2f}x; end to end vs plain: {hub_rate / plain_rate:.2f}x",
            ]
        )
        + "\n"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as out:
        out.write(report)
    print(report)


if __name__ == "__main__":
    main()
