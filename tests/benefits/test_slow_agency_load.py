"""A slow agency never starves the web workers: with HFS ten seconds slow, sixteen phones reading at once each
get every answer within the read budget (plus a margin for a busy machine), measured from the phones' side
against a real gunicorn, in the embedded default (``make run``: 1 worker x 8 threads) and the production shape
(2 x cores workers x 4 threads)."""

from __future__ import annotations

import dataclasses
import os
import statistics
import threading
import time

import httpx
import pytest

from composition import build_hub
from config import Settings
from services.background import ManualRunner
from services.db import make_engine
from services.readiness import Readiness
from tests.database import upgrade
from tests.factories import create_signed_in_resident
from tests.live_servers import gunicorn_process, sandbox_process

pytestmark = [pytest.mark.slow, pytest.mark.timing]

READERS = 16
BUDGET = 2.0  # the default READ_BUDGET_SECONDS
# A busy 2-core machine. The phones' first reads used to come up to 1.6 s past the budget (2.45-3.61 s, at this
# session's starting commit too): four freshly started workers each loading what they load lazily on their first
# read. ``_warm`` now gives every worker a read first, after which the slowest answer was 2.06-2.32 s in three runs.
MARGIN = 1.0
CONFIGS = {
    "embedded (1 worker x 8 threads)": ["--workers", "1", "--threads", "8"],
    "production (2 x cores workers x 4 threads)": ["--workers", str(2 * (os.cpu_count() or 1)), "--threads", "4"],
}


def _residents(tmp_path, database_url: str, keys: str, count: int, links=None) -> list[dict[str, str]]:
    """``count`` verified residents linked to maria's DHS and HFS records (or ``links``), each with an access
    token."""
    settings = Settings.from_env({}, hub_env="test", database_url=database_url, signing_keys_path=keys)
    engine = make_engine(database_url)
    upgrade(engine)
    hub = build_hub(settings, engine=engine, readiness=Readiness(), runner=ManualRunner)
    try:
        return [
            create_signed_in_resident(hub, links=links or {"DHS": "IES100200301", "HFS": "hfs-300400501"}).headers
            for _ in range(count)
        ]
    finally:
        engine.dispose()


@dataclasses.dataclass
class Read:
    kind: str
    seconds: float
    status: int
    hfs: str | None


def _phone(hub_url: str, headers: dict[str, str], start: threading.Barrier, reads: list[Read]) -> None:
    with httpx.Client(base_url=hub_url, headers=headers, timeout=30) as phone:
        start.wait()
        for kind, query in (("first", ""), ("refresh", "?refresh=true"), ("again", ""), ("refresh", "?refresh=true")):
            started = time.perf_counter()
            response = phone.get(f"/v1/me/benefits{query}")
            elapsed = time.perf_counter() - started
            sources = (
                {s["agency"]: s["status"] for s in response.json()["meta"]["sources"]} if response.is_success else {}
            )
            reads.append(Read(kind, elapsed, response.status_code, sources.get("HFS")))


def _warm(hub_url: str, warmers: list[dict[str, str]]) -> None:
    """Every worker serves a benefits read once (residents linked only to DHS, which answers at once) before the
    phones start: a freshly started worker's first read loads what it loads lazily, which is not what this test is
    about (it made the phones' first reads up to 1.6 s slower than their later ones on a quiet machine)."""

    def read(headers: dict[str, str]) -> None:
        assert httpx.get(f"{hub_url}/v1/me/benefits", headers=headers, timeout=30).status_code == 200

    threads = [threading.Thread(target=read, args=(headers,)) for headers in warmers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.parametrize("config", CONFIGS)
def test_sixteen_phones_get_every_answer_within_the_budget_while_hfs_is_slow(tmp_path, config):
    with sandbox_process(tmp_path) as sandbox:
        database_url = f"sqlite:///{tmp_path / 'hub.db'}"
        keys = str(tmp_path / "signing-keys.json")
        phones = _residents(tmp_path, database_url, keys, READERS)
        warmers = _residents(tmp_path, database_url, keys, READERS, links={"DHS": "IES100200301"})
        hub_settings = {
            "HUB_ENV": "test",
            "DATABASE_URL": database_url,
            "SIGNING_KEYS_PATH": keys,
            "PLATFORM_URL": f"{sandbox}/platform",
            "OIDC_ISSUER": f"{sandbox}/idp",
            "STAFF_OIDC_ISSUER": f"{sandbox}/staff-idp",
            "SANDBOX_URL": sandbox,
            "READ_BUDGET_SECONDS": str(BUDGET),
            "LOG_LEVEL": "WARNING",
        }
        httpx.post(f"{sandbox}/platform/sim/faults", json={"agency": "HFS", "mode": "slow", "latency_ms": 10000})
        with gunicorn_process(tmp_path, hub_settings, CONFIGS[config]) as hub:
            _warm(hub, warmers)
            reads: list[Read] = []
            start = threading.Barrier(READERS)
            threads = [threading.Thread(target=_phone, args=(hub, h, start, reads)) for h in phones]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
    seconds = sorted(read.seconds for read in reads)
    report = (
        f"{config}: {len(reads)} reads, p50 {statistics.median(seconds):.2f} s, max {seconds[-1]:.2f} s; "
        + ", ".join(
            f"{kind} max {max(r.seconds for r in reads if r.kind == kind):.2f} s"
            for kind in ("first", "refresh", "again")
        )
    )
    print(report)
    assert len(reads) == READERS * 4 and {read.status for read in reads} == {200}, report
    assert {read.hfs for read in reads} <= {"unavailable", "stale", "fresh"}, report
    slow = [read for read in reads if read.seconds > BUDGET + MARGIN]
    assert not slow, f"{len(slow)} reads over {BUDGET + MARGIN} s; {report}"
