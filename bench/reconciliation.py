"""Bulk reconciliation into PostgreSQL, measured from outside: ``flask sync agency DHS --bulk`` as its own
process against the sandbox platform (``python -m simulator``) as another, first run and rerun.

    .venv/bin/python bench/reconciliation.py [--residents 1000000] [--agency DHS] [--database-url …] [--quick]

Setup (not measured as the figure, timed and reported): a simulator with ``--residents`` generated residents;
a fresh PostgreSQL database, migrated; ``flask sandbox seed-linked AGENCY``, one hub resident linked to each of
the agency's records (from the export's ids, no snapshots). Then, each timed from outside:

- reference: the platform's export alone, drained page by page by this process (what the hub cannot beat);
- first run: ``flask sync agency AGENCY --bulk --drop-documents`` with everything new (a baseline per
  resident), under ``py-spy record`` (``--profile``, the default) so where the time goes is in the report;
- rerun: the same with nothing changed (equal hashes: stamps only);
- the documents rendered afterwards (``flask resident-views render``): rendering them inside each page's
  transaction (``--bulk`` without ``--drop-documents``) is one resident at a time, the cost measured here;
- the per-resident path (``flask sync agency AGENCY`` without ``--bulk``) for ``--per-resident`` residents
  (``--max-batches``), the figure it replaces.

Records/s is linked residents reconciled per second of the CLI process's wall time (its start-up included).
The time for 1,000,000 residents is measured when the run has that many; otherwise projected from the rate.
``--quick``: 20,000 generated residents. Imports nothing from the hub. Writes ``bench/results/reconciliation.txt``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from bench.harness import (  # noqa: E402
    BIN,
    ROOT,
    Database,
    Process,
    free_port,
    hub_environment,
    load_average,
    machine,
    migrate,
    result_path,
)

PLATFORM_KEY = "sandbox-platform-key"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def timed_flask(env: dict[str, str], *args: str, profile: Path | None = None) -> tuple[str, float]:
    """``flask --app composition:create_app ARGS`` in its own process (under py-spy when ``profile``)."""
    command = [sys.executable, "-m", "flask", "--app", "composition:create_app", *args]
    if profile:
        command = [str(BIN / "py-spy"), "record", "--rate", "50", "--format", "raw", "-o", str(profile), "--", *command]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr[-3000:]}")
    lines = [line for line in done.stdout.splitlines() if line.strip() and not line.startswith("py-spy>")]
    return (lines[-1] if lines else ""), seconds


def drain_export(sandbox_url: str, agency: str, page_size: int) -> tuple[int, float]:
    started, records, cursor = time.perf_counter(), 0, None
    with httpx.Client(headers={"Authorization": f"Bearer {PLATFORM_KEY}"}, timeout=120) as client:
        while True:
            params = {"limit": page_size, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"{sandbox_url}/platform/agencies/{agency}/records", params=params).json()
            records += len(page["records"])
            cursor = page["next_cursor"]
            if cursor is None:
                return records, time.perf_counter() - started


def top_frames(raw: Path, limit: int = 12) -> list[str]:
    """The functions most often on the stack in py-spy's collapsed output, by share of samples: all frames (the
    CLI's own wrappers, click's and flask's, left out), then own frames (the innermost, where the time is spent)."""
    totals: dict[str, int] = {}
    own: dict[str, int] = {}
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        samples += int(count)
        keys = [_frame_key(frame) for frame in stack.split(";")]
        for key in set(keys):
            if key and not key.endswith(("(click/core.py)", "(click/decorators.py)", "(flask/cli.py)")):
                totals[key] = totals.get(key, 0) + int(count)
        if keys and keys[-1]:
            own[keys[-1]] = own.get(keys[-1], 0) + int(count)
    lines = []
    for ranked in (totals, own):
        top = sorted(ranked.items(), key=lambda kv: -kv[1])[:limit]
        lines += ["  on the stack:" if ranked is totals else "  own time:"]
        lines += [f"  {count / max(samples, 1):6.1%}  {name}" for name, count in top]
    return lines


def _frame_key(frame: str) -> str:
    name = frame.split(" (")[0]
    where = frame.split(" (")[-1].split(":")[0] if " (" in frame else ""
    return f"{name} ({where})" if where and not where.startswith("<") else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000, help="generated residents at the simulator")
    parser.add_argument("--agency", default="DHS")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--per-resident", type=int, default=2000, help="residents for the per-resident reference")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", POSTGRES))
    parser.add_argument("--port", type=int, default=0, help="the simulator's port (default: any free one)")
    parser.add_argument("--database-name", default=f"bench_reconcile_{os.getpid()}", help="made and dropped")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--no-render", dest="render", action="store_false", help="skip rendering documents after")
    parser.add_argument("--quick", action="store_true", help="a short run that shows the benchmark works")
    args = parser.parse_args()
    if args.quick:
        args.residents, args.per_resident = 20_000, 400
    lines = [
        f"bulk reconciliation benchmark — {args.agency} of {args.residents:,} generated residents, PostgreSQL,"
        f" page size {args.page_size}",
        machine(),
        f"load average before the run: {load_average()}",
        "",
    ]

    def note(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    port = args.port or free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="bench-reconcile-") as folder:
        database = Database(args.database_url, Path(folder), args.database_name)
        simulator = Process(
            [sys.executable, "-m", "simulator", "--host", "127.0.0.1", "--port", str(port)]
            + ["--residents", str(args.residents), "--public-url", sandbox_url],
            ready_url=sandbox_url + "/",
            timeout=300,
            log=Path(folder) / "sandbox.log",
        )
        started = time.perf_counter()
        with database, simulator:
            note(f"setup: simulator up in {time.perf_counter() - started:.1f} s")
            env = hub_environment(
                database,
                Path(folder),
                port + 1 if args.port else free_port(),
                SANDBOX_ENABLED="true",
                SANDBOX_URL=sandbox_url,
                PLATFORM_URL=f"{sandbox_url}/platform",
                OIDC_ISSUER=f"{sandbox_url}/idp",
                STAFF_OIDC_ISSUER=f"{sandbox_url}/staff-idp",
            )
            migrate(env)
            summary, seconds = timed_flask(env, "sandbox", "seed-linked", args.agency)
            linked = int(summary.split()[0])
            note(f"setup: {summary} in {seconds:.1f} s ({linked / seconds:,.0f} residents/s)")
            note(f"load average before the measured runs: {load_average()}")
            note("")

            records, seconds = drain_export(sandbox_url, args.agency, args.page_size)
            note(
                f"reference: the platform's export alone, {records:,} records in {seconds:.1f} s "
                f"= {records / seconds:,.0f} records/s"
            )
            profile = Path(tempfile.gettempdir()) / f"reconcile-first-{os.getpid()}.txt" if args.profile else None
            bulk = ["sync", "agency", args.agency, "--bulk", "--page-size", str(args.page_size), "--drop-documents"]
            rates = {}
            for label, run_profile in (("first run (everything new)", profile), ("rerun (nothing changed)", None)):
                load = load_average()
                summary, seconds = timed_flask(env, *bulk, profile=run_profile)
                rates[label] = linked / seconds
                note(
                    f"{label}: {linked:,} residents in {seconds:.1f} s = {linked / seconds:,.0f} records/s"
                    f"  (load {load}; {summary.split(': ', 1)[-1]})"
                )
            events = database.scalar("SELECT count(*) FROM outbox_events")
            views = database.scalar("SELECT count(*) FROM resident_views")
            note(f"  outbox rows written: {events:,}; stored documents left: {views:,}")
            if args.render:
                load = load_average()
                summary, seconds = timed_flask(env, "resident-views", "render")
                note(
                    f"documents rendered afterwards (flask resident-views render, one resident at a time): {linked:,}"
                    f" residents in {seconds:.1f} s = {linked / seconds:,.0f} residents/s  (load {load})"
                )
            per = min(args.per_resident, linked)
            batches = max(1, per // 200)
            load = load_average()
            summary, seconds = timed_flask(env, "sync", "agency", args.agency, "--max-batches", str(batches))
            done = min(batches * 200, linked)
            note(
                f"per-resident path (one fetch + one transaction each, 4 threads): {done:,} residents in"
                f" {seconds:.1f} s = {done / seconds:,.0f} records/s  (load {load})"
            )
            note("")
            for label, rate in rates.items():
                if linked >= 1_000_000:
                    continue
                note(f"1,000,000 residents at the {label} rate: {1_000_000 / rate / 60:.1f} min (projected)")
            note("goal: ≥ 5,000 records/s; 1,000,000 residents in under 10 minutes")
            if profile and profile.exists():
                note("")
                note("where the first run's CLI process spends its time (py-spy, share of samples on the stack):")
                for line in top_frames(profile):
                    note(line)
    out = result_path("reconciliation", args.quick)
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
