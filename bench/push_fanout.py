"""Fan-out benchmark: a campaign to ≥ 50,000 devices, outbox → dispatcher → FCMTransport (real firebase-admin
``send_each``) → the fake FCM server running in its own process; and, in the same run against the same server,
a plain HTTP client (httpx, one connection pool, threads) posting the same requests.

    .venv/bin/python bench/push_fanout.py [--devices 50000] [--devices-per-resident 2] [--threads 64]

Uses a fresh SQLite database in a temporary folder (``--database-url postgresql://…`` for PostgreSQL; a fresh
database named ``bench_push_fanout`` is created and dropped on that server). Writes the figures to
``bench/results/push_fanout.txt``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import create_engine, func, insert, make_url, select, text  # noqa: E402

import services.models  # noqa: E402, F401
from composition import build_hub  # noqa: E402
from config import Settings  # noqa: E402
from notifications.delivery import send_due_deliveries  # noqa: E402
from notifications.dispatch import dispatch_outbox  # noqa: E402
from notifications.transports.fcm import FCMTransport  # noqa: E402
from services.background import ManualRunner  # noqa: E402
from services.db import make_engine, new_id  # noqa: E402
from services.hub import Hub  # noqa: E402
from services.models.identity import Resident  # noqa: E402
from services.models.notifications import Device, PushDelivery  # noqa: E402
from services.models.outbox import OutboxEvent  # noqa: E402
from services.readiness import Readiness  # noqa: E402
from tests.database import upgrade  # noqa: E402
from tests.fakes.credentials import FAKE_ACCESS_TOKEN, FixedTokenCredential  # noqa: E402

PROJECT = "bench-project"
RESULTS = ROOT / "bench" / "results" / "push_fanout.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeFCMProcess:
    """``python -m tests.fakes.fcm_server`` in its own process, counting without recording (each answer held
    ``delay_ms`` after the push was accepted, as the network would)."""

    def __init__(self, delay_ms: float = 0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.delay_ms = delay_ms
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> FakeFCMProcess:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.fcm_server",
                "--port",
                str(self.port),
                "--no-record",
                "--delay-ms",
                str(self.delay_ms),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.process.stdout.readline()  # "fake FCM listening on …"
        return self

    def stats(self) -> dict:
        return httpx.get(self.url + "/_fake/stats", timeout=5).json()

    def reset(self) -> None:
        httpx.post(self.url + "/_fake/reset", timeout=5)

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)


class Database:
    def __init__(self, server_url: str | None, folder: Path, name: str = "bench_push_fanout") -> None:
        self.server_url = server_url
        self.name = name
        if server_url:
            server = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
            self.admin_url = server
            self.url = server.set(database=name).render_as_string(hide_password=False)
        else:
            self.url = f"sqlite:///{folder / 'bench.db'}"

    def __enter__(self):
        if self.server_url:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
            self._admin(f"CREATE DATABASE {self.name}")
        self.engine = make_engine(self.url, pool_size=8)
        upgrade(self.engine)
        return self

    def _admin(self, statement: str) -> None:
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(statement))
        admin.dispose()

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()
        if self.server_url:
            self._admin(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def seed_campaign(engine, devices: int, per_resident: int) -> int:
    """Residents with ``per_resident`` active devices each and one outbox event each (a notice for everyone)."""
    residents = devices // per_resident
    resident_ids = [new_id() for _ in range(residents)]
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        for start in range(0, residents, 5000):
            chunk = resident_ids[start : start + 5000]
            connection.execute(insert(Resident), [resident_row(rid, i + start) for i, rid in enumerate(chunk)])
            connection.execute(
                insert(Device),
                [
                    {
                        "id": new_id(),
                        "resident_id": rid,
                        "session_id": None,
                        "platform": "android" if n % 2 else "ios",
                        "app_id": "gov.state.benefits",
                        "locale": "en",
                        "push_token": f"bench-token-{rid}-{n}",
                        "token_hash": f"{rid}{n:032d}"[:64],
                        "token_suffix": f"{n:06d}",
                        "active": True,
                        "created_at": now,
                        "registered_at": now,
                    }
                    for rid in chunk
                    for n in range(per_resident)
                ],
            )
            connection.execute(
                insert(OutboxEvent),
                [
                    {
                        "resident_id": rid,
                        "agency": None,
                        "benefit_id": None,
                        "type": "notice.posted",
                        "payload": {
                            "benefit_id": None,
                            "agency": "DHS",
                            "program_code": "SNAP",
                            "notice_id": f"campaign-{rid}",
                            "title": "Winter energy help",
                            "posted_on": now.date().isoformat(),
                        },
                        "dedupe_key": f"campaign:winter:{rid}",
                        "created_at": now,
                        "attempts": 0,
                    }
                    for rid in chunk
                ],
            )
    return residents


def resident_row(resident_id: str, index: int) -> dict:
    now = dt.datetime.now(dt.UTC)
    return {
        "id": resident_id,
        "issuer": "https://idp.bench",
        "subject": f"bench-{index}",
        "locale": "es" if index % 3 == 0 else "en",
        "time_zone": "America/Chicago",
        "identity_verified": True,
        "created_at": now,
        "updated_at": now,
    }


def run_hub(context: Hub, fake: FakeFCMProcess, max_in_flight: int) -> dict:
    transport = FCMTransport(
        project_id=PROJECT,
        credential=FixedTokenCredential(),
        endpoint=fake.url,
        http_retry=0,
        max_in_flight=max_in_flight,
    )
    try:
        started = time.perf_counter()
        dispatch = dispatch_outbox(context)
        dispatched = time.perf_counter()
        report = send_due_deliveries(context, transport=transport)
        finished = time.perf_counter()
    finally:
        transport.close()
    with context.session() as session:
        sent = session.scalar(select(func.count()).where(PushDelivery.state == "sent"))
    return {
        "messages": dispatch.messages,
        "deliveries": dispatch.deliveries,
        "dispatch_seconds": dispatched - started,
        "send_seconds": finished - dispatched,
        "total_seconds": finished - started,
        "batches": report.batches,
        "sent": sent,
        "accepted_by_server": fake.stats()["accepted"],
    }


def fcm_request_body(token: str, index: int) -> dict:
    """The JSON firebase-admin posts for one of our pushes (same shape and size)."""
    return {
        "message": {
            "token": token,
            "notification": {"title": "Benefits update", "body": "You have an update about your benefits"},
            "data": {"message_id": f"{index:032x}", "category": "notices"},
            "android": {"priority": "normal", "collapse_key": f"{index:032x}"},
            "apns": {
                "headers": {"apns-priority": "5", "apns-push-type": "alert", "apns-collapse-id": f"{index:032x}"},
                "payload": {"aps": {"sound": "default"}},
            },
        }
    }


def run_plain_client(fake: FakeFCMProcess, count: int, threads: int) -> dict:
    url = f"{fake.url}/v1/projects/{PROJECT}/messages:send"
    headers = {"Authorization": f"Bearer {FAKE_ACCESS_TOKEN}", "Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=threads, max_keepalive_connections=threads)
    next_index = iter(range(count))
    lock = threading.Lock()
    ok = 0
    with httpx.Client(limits=limits, timeout=30) as client:

        def worker() -> int:
            done = 0
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return done
                response = client.post(url, json=fcm_request_body(f"plain-token-{index}", index), headers=headers)
                done += response.status_code == 200

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
            ok = sum(pool.map(lambda _: worker(), range(threads)))
        elapsed = time.perf_counter() - started
    return {"requests": count, "ok": ok, "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50_000)
    parser.add_argument("--devices-per-resident", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64, help="plain client threads (and its pool size)")
    parser.add_argument("--max-in-flight", type=int, default=32, help="FCMTransport requests in flight at once")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, Database(args.database_url or None, Path(folder)) as database:
        settings = Settings.from_env({}, hub_env="test", database_url=database.url, log_level="WARNING")
        context = build_hub(settings, engine=database.engine, readiness=Readiness(), runner=ManualRunner)
        seed_started = time.perf_counter()
        residents = seed_campaign(database.engine, args.devices, args.devices_per_resident)
        seed_seconds = time.perf_counter() - seed_started
        with FakeFCMProcess() as fake:
            hub = run_hub(context, fake, args.max_in_flight)
            fake.reset()
            plain = run_plain_client(fake, hub["sent"], args.threads)
            plain["accepted_by_server"] = fake.stats()["accepted"]
        backend = "PostgreSQL" if args.database_url else "SQLite"

    hub_rate = hub["sent"] / hub["total_seconds"]
    send_rate = hub["sent"] / hub["send_seconds"]
    plain_rate = plain["ok"] / plain["seconds"]
    lines = [
        "Push fan-out benchmark (bench/push_fanout.py)",
        f"when: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; database: {backend}",
        f"campaign: {residents:,} residents x {args.devices_per_resident} devices = {hub['deliveries']:,} devices "
        f"(seeded in {seed_seconds:.1f} s); fake FCM server in its own process on 127.0.0.1",
        "",
        "hub: outbox -> dispatcher -> FCMTransport (firebase-admin send_each, <=500 a batch) -> fake FCM",
        f"  dispatch (outbox -> {hub['messages']:,} messages + {hub['deliveries']:,} deliveries): "
        f"{hub['dispatch_seconds']:.1f} s",
        f"  send ({hub['batches']} batches, {args.max_in_flight} in flight): {hub['send_seconds']:.1f} s, "
        f"{send_rate:,.0f} pushes/s",
        f"  end to end: {hub['sent']:,} sent (server accepted {hub['accepted_by_server']:,}) in "
        f"{hub['total_seconds']:.1f} s = {hub_rate:,.0f} pushes/s",
        "",
        f"plain HTTP client: httpx, one pool of {args.threads} connections, {args.threads} threads, same bodies",
        f"  {plain['ok']:,} requests in {plain['seconds']:.1f} s = {plain_rate:,.0f} requests/s "
        f"(server accepted {plain['accepted_by_server']:,})",
        "",
        f"send phase vs plain client: {send_rate / plain_rate:.2f}x; end to end vs plain client: "
        f"{hub_rate / plain_rate:.2f}x",
    ]
    report = "\n".join(lines) + "\n"
    Path(args.output).write_text(report)
    print(report)


if __name__ == "__main__":
    main()
