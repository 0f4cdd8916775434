"""Seed a hub database with residents whose benefit snapshots are already stored, in bulk (Core inserts).

Every resident gets DHS (SNAP + WIC) and HFS (Medicaid) links and snapshots, every third one AGING as well
(Community Care + a denied Benefit Access), with open actions, notices and payments: the normalised records
come from the sandbox payloads captured in ``tests/platform/fixtures``. Sessions are made only for the residents
the benchmark signs tokens for.

    .venv/bin/python bench/seed_benefits.py --database-url sqlite:///bench/.data/hub.db --residents 100000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, update  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

import services.models  # noqa: E402, F401
from services import clock  # noqa: E402
from services.db import make_engine, new_id  # noqa: E402
from services.identity.app_registry import SANDBOX_APPS  # noqa: E402
from services.models.app_clients import AppClient  # noqa: E402
from services.models.benefits import NO_DUE_DATE, Benefit, BenefitAction, BenefitSource  # noqa: E402
from services.models.identity import HubSession, Resident, ResidentLink  # noqa: E402
from services.platform import adapters  # noqa: E402
from services.platform.records import content_hash  # noqa: E402
from tests.database import upgrade  # noqa: E402
from tests.platform.payloads import pages  # noqa: E402

CHUNK = 5000
SOURCES = {
    "DHS": ("IES", "dhs_maria_day0.json"),
    "HFS": ("hfs-", "hfs_maria_day7.json"),
    "AGING": ("AG", "aging_ana_day7.json"),
}


def templates() -> dict[str, tuple[list, str]]:
    out = {}
    for agency, (_, fixture) in SOURCES.items():
        records = adapters.normalise(agency, pages(fixture))
        out[agency] = (records, content_hash(records))
    return out


def seed(engine: Engine, residents: int, *, progress=print) -> list[str]:
    """Insert ``residents`` residents with snapshots; return their ids (in insertion order)."""
    now = clock.now()
    shapes = templates()
    ids: list[str] = []
    with engine.begin() as connection:
        known = {
            row[0] for row in connection.execute(AppClient.__table__.select().with_only_columns(AppClient.client_id))
        }
        apps = [{"client_id": c, "name": n, "kind": k, "active": True, "created_at": now} for c, n, k in SANDBOX_APPS]
        if missing := [a for a in apps if a["client_id"] not in known]:
            connection.execute(insert(AppClient), missing)
    started = time.perf_counter()
    for first in range(0, residents, CHUNK):
        rows: dict[str, list[dict]] = {"residents": [], "links": [], "sources": [], "benefits": [], "actions": []}
        for n in range(first, min(first + CHUNK, residents)):
            resident_id = new_id()
            ids.append(resident_id)
            rows["residents"].append(
                {
                    "id": resident_id,
                    "issuer": "bench",
                    "subject": f"bench-{n}",
                    "locale": "es" if n % 5 == 0 else "en",
                    "time_zone": "America/Chicago",
                    "identity_verified": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            agencies = ["DHS", "HFS"] + (["AGING"] if n % 3 == 0 else [])
            for agency in agencies:
                prefix, _ = SOURCES[agency]
                records, digest = shapes[agency]
                rows["links"].append(
                    {
                        "id": new_id(),
                        "resident_id": resident_id,
                        "agency": agency,
                        "record_id": f"{prefix}{n:09d}",
                        "platform_person_id": f"PER{n:09d}",
                        "method": "mpi",
                        "proof": "identity",
                        "linked_at": now,
                    }
                )
                rows["sources"].append(
                    {
                        "resident_id": resident_id,
                        "agency": agency,
                        "content_hash": digest,
                        "as_of": now,
                        "attempted_at": now,
                    }
                )
                for record in records:
                    benefit_id = new_id()
                    rows["benefits"].append(
                        {
                            "id": benefit_id,
                            "resident_id": resident_id,
                            "agency": agency,
                            "source_key": record.key,
                            "program_code": record.program_code,
                            "case_number": record.case_number,
                            "status": record.status,
                            "renewal_due_on": record.renewal_due_on,
                            "next_payment_on": record.next_payment_on,
                            "document": record.document(),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    for action in record.actions:
                        rows["actions"].append(
                            {
                                "id": new_id(),
                                "benefit_id": benefit_id,
                                "resident_id": resident_id,
                                "agency": agency,
                                "program_code": record.program_code,
                                "source_key": action.key,
                                "kind": action.kind,
                                "title": action.title,
                                "state": action.state,
                                "due_on": action.due_on,
                                "scheduled_at": action.scheduled_at,
                                "sort_on": action.due_on or NO_DUE_DATE,
                                "updated_at": now,
                            }
                        )
        with engine.begin() as connection:
            connection.execute(insert(Resident), rows["residents"])
            connection.execute(insert(ResidentLink), rows["links"])
            connection.execute(insert(BenefitSource), rows["sources"])
            connection.execute(insert(Benefit), rows["benefits"])
            connection.execute(insert(BenefitAction), rows["actions"])
        done = min(first + CHUNK, residents)
        if done % 20000 == 0 or done == residents:
            progress(f"  seeded {done:,} residents ({time.perf_counter() - started:.1f} s)")
    return ids


def open_sessions(engine: Engine, resident_ids: list[str], client_id: str = "sandbox-app") -> list[tuple[str, str]]:
    """One hub session per resident (what a signed-in phone has); returns (resident_id, session_id) pairs."""
    now = clock.now()
    pairs = [(resident_id, new_id()) for resident_id in resident_ids]
    rows = [
        {
            "id": sid,
            "kind": "resident",
            "resident_id": rid,
            "client_id": client_id,
            "staff_roles": [],
            "created_at": now,
            "last_seen_at": now,
        }
        for rid, sid in pairs
    ]
    with engine.begin() as connection:
        for first in range(0, len(rows), CHUNK):
            connection.execute(insert(HubSession), rows[first : first + CHUNK])
    return pairs


def touch_sources(engine: Engine) -> None:
    """Every snapshot just fetched: the benchmark measures reads that need no platform call."""
    with engine.begin() as connection:
        connection.execute(update(BenefitSource).values(as_of=clock.now(), attempted_at=clock.now()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--residents", type=int, default=100_000)
    args = parser.parse_args()
    engine = make_engine(args.database_url)
    upgrade(engine)
    seed(engine, args.residents)


if __name__ == "__main__":
    main()
