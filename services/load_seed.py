"""Bulk residents for benchmarks and load tests (``flask sandbox seed-load``): many rows, fast, sandbox only.

Why it is here and not in the benchmarks: a benchmark drives the hub from outside (HTTP against gunicorn, the
hub's own worker processes), so it seeds through the hub's CLI too, never by importing its models.

What a seeded resident has, each built the way the hub would hold it:

- **Benefits.** Links and stored snapshots at DHS and HFS, and at AGING for every third resident, copied from
  what the sandbox platform answers for its personas (maria at DHS and HFS, ana at AGING), fetched once through
  the hub's own platform client and normalised by the adapters; every snapshot is marked fetched at the end of
  the seeding, so a read right after needs no platform call.
- **Devices and a campaign** (``devices_per_resident``): active phones, and one ``notice.posted`` outbox event
  each, which the dispatcher turns into a message and one push per phone.
- **Sign-ins** (``sign_in``): hub sessions for the first residents and an access token each, minted with the
  hub's signing keys (issuer ``PUBLIC_URL``), what a phone holds after signing in.

Rows go in by Core inserts in chunks (an ORM flush per resident would take minutes for 100,000).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy import insert, select, update

from services import clock
from services.benefits.snapshot_rows import snapshot_rows
from services.db import new_id
from services.devices import token_hash
from services.hub import Hub
from services.identity.app_registry import SANDBOX_APPS
from services.identity.hub_tokens import issue_access_token
from services.models.app_clients import AppClient
from services.models.benefits import Benefit, BenefitAction, BenefitSource
from services.models.identity import HubSession, Resident, ResidentLink
from services.models.notifications import Device
from services.models.outbox import OutboxEvent
from services.outbox import NOTICE_POSTED
from services.platform.client import RecordRef
from services.platform.records import BenefitRecord, content_hash
from services.vocabulary import STATE_TIME_ZONE

CHUNK = 5000
# agency → (the sandbox record whose records every seeded resident gets, the prefix of seeded record ids)
TEMPLATES = {
    "DHS": ("IES100200301", "IES"),  # maria: SNAP and WIC
    "HFS": ("hfs-300400501", "hfs-"),  # maria: Medicaid
    "AGING": ("AG100200604", "AG"),  # ana: Community Care and a denied Benefit Access
}
TOKEN_TTL_SECONDS = 4 * 3600


@dataclasses.dataclass(frozen=True)
class Seeded:
    residents: int
    devices: int
    campaign_events: int
    tokens: list[str]


def template_records(hub: Hub) -> dict[str, list[BenefitRecord]]:
    """Each template agency's records, as the sandbox platform answers them now."""
    return {
        agency: hub.platform.retrying_view(RecordRef(agency, record_id)).records
        for agency, (record_id, _) in TEMPLATES.items()
    }


def seed_load(
    hub: Hub,
    residents: int,
    *,
    benefits: bool = True,
    devices_per_resident: int = 0,
    sign_in: int = 0,
    progress: Callable[[str], None] = lambda _line: None,
) -> Seeded:
    """Insert ``residents`` residents (with benefits, devices and a campaign as asked) and sign ``sign_in`` of
    them in. Adds to what is there; subjects are fresh, so it may run twice on one database."""
    shapes = (
        {agency: (records, content_hash(records)) for agency, records in template_records(hub).items()}
        if (benefits)
        else {}
    )
    batch = new_id()[:8]
    now = clock.now()
    _register_sandbox_apps(hub, now)
    ids: list[str] = []
    devices = events = 0
    for first in range(0, residents, CHUNK):
        rows = _Rows()
        for n in range(first, min(first + CHUNK, residents)):
            resident_id = new_id()
            ids.append(resident_id)
            locale = "es" if n % 5 == 0 else "en"
            rows.resident(resident_id, f"load-{batch}-{n}", locale, now)
            if benefits:
                for agency in ("DHS", "HFS") + (("AGING",) if n % 3 == 0 else ()):
                    rows.benefits(resident_id, agency, f"{TEMPLATES[agency][1]}{batch}{n:09d}", shapes[agency], now)
            for k in range(devices_per_resident):
                rows.device(resident_id, f"load-token-{resident_id}-{k}", k, locale, now)
            if devices_per_resident:
                rows.campaign(resident_id, now)
        with hub.engine.begin() as connection:
            for table, values in rows.tables():
                if values:
                    connection.execute(insert(table), values)
        devices += len(rows.devices)
        events += len(rows.events)
        progress(f"seeded {len(ids):,} of {residents:,} residents")
    if benefits:
        _fresh_again(hub, batch)
    tokens = _sign_in(hub, ids[:sign_in], now) if sign_in else []
    return Seeded(len(ids), devices, events, tokens)


def seed_linked(hub: Hub, agency: str, limit: int | None = None, progress: Callable[[str], None] = print) -> int:
    """One resident per record of ``agency``'s bulk export (``fields=ids``), linked to it, with no snapshot: what
    a bulk reconciliation's first run finds (everything new). Returns how many were added; ``limit`` caps it."""
    batch, now, cursor, done = new_id()[:8], clock.now(), None, 0
    while limit is None or done < limit:
        pairs, cursor = hub.platform.record_ids_page(agency, cursor, min(CHUNK, limit - done) if limit else CHUNK)
        rows = _Rows()
        for record_id, person_id in pairs:
            resident_id = new_id()
            rows.resident(resident_id, f"linked-{batch}-{done}", "en", now)
            rows.links.append(_link(resident_id, agency, record_id, person_id, now))
            done += 1
        with hub.engine.begin() as connection:
            for table, values in rows.tables():
                if values:
                    connection.execute(insert(table), values)
        progress(f"linked {done:,} residents at {agency}")
        if cursor is None:
            break
    return done


def _link(resident_id: str, agency: str, record_id: str, person_id: str | None, now: dt.datetime) -> dict:
    return {
        "id": new_id(),
        "resident_id": resident_id,
        "agency": agency,
        "record_id": record_id,
        "platform_person_id": person_id,
        "method": "mpi",
        "proof": "identity",
        "linked_at": now,
    }


def _fresh_again(hub: Hub, batch: str) -> None:
    """Every snapshot of this batch fetched just now, however long the seeding took (reads need no platform)."""
    mine = select(Resident.id).where(Resident.subject.like(f"load-{batch}-%"))
    with hub.engine.begin() as connection:
        connection.execute(
            update(BenefitSource)
            .where(BenefitSource.resident_id.in_(mine))
            .values(as_of=clock.now(), attempted_at=clock.now())
        )


def _register_sandbox_apps(hub: Hub, now: dt.datetime) -> None:
    with hub.engine.begin() as connection:
        known = set(connection.scalars(select(AppClient.client_id)))
        missing = [
            {"client_id": c, "name": n, "kind": k, "active": True, "created_at": now}
            for c, n, k in SANDBOX_APPS
            if c not in known
        ]
        if missing:
            connection.execute(insert(AppClient), missing)


def _sign_in(hub: Hub, resident_ids: list[str], now: dt.datetime) -> list[str]:
    """One hub session per resident on the sandbox app, and the access token a phone would hold for it."""
    pairs = [(resident_id, new_id()) for resident_id in resident_ids]
    rows = [
        {
            "id": session_id,
            "kind": "resident",
            "resident_id": resident_id,
            "client_id": "sandbox-app",
            "staff_roles": [],
            "created_at": now,
            "last_seen_at": now,
        }
        for resident_id, session_id in pairs
    ]
    with hub.engine.begin() as connection:
        for first in range(0, len(rows), CHUNK):
            connection.execute(insert(HubSession), rows[first : first + CHUNK])
    keys, issuer = hub.signing_keys, hub.settings.public_url.rstrip("/")
    return [
        issue_access_token(
            keys,
            issuer=issuer,
            subject=resident_id,
            kind="resident",
            session_id=session_id,
            client_id="sandbox-app",
            ttl_seconds=TOKEN_TTL_SECONDS,
        )
        for resident_id, session_id in pairs
    ]


@dataclasses.dataclass
class _Rows:
    """One chunk's rows, table by table, in the order foreign keys need."""

    residents: list[dict] = dataclasses.field(default_factory=list)
    links: list[dict] = dataclasses.field(default_factory=list)
    sources: list[dict] = dataclasses.field(default_factory=list)
    benefit_rows: list[dict] = dataclasses.field(default_factory=list)
    actions: list[dict] = dataclasses.field(default_factory=list)
    devices: list[dict] = dataclasses.field(default_factory=list)
    events: list[dict] = dataclasses.field(default_factory=list)

    def tables(self):
        return (
            (Resident, self.residents),
            (ResidentLink, self.links),
            (BenefitSource, self.sources),
            (Benefit, self.benefit_rows),
            (BenefitAction, self.actions),
            (Device, self.devices),
            (OutboxEvent, self.events),
        )

    def resident(self, resident_id: str, subject: str, locale: str, now: dt.datetime) -> None:
        self.residents.append(
            {
                "id": resident_id,
                "issuer": "load-seed",
                "subject": subject,
                "locale": locale,
                "time_zone": STATE_TIME_ZONE,
                "identity_verified": True,
                "created_at": now,
                "updated_at": now,
            }
        )

    def benefits(
        self, resident_id: str, agency: str, record_id: str, shape: tuple[list[BenefitRecord], str], now: dt.datetime
    ) -> None:
        records, digest = shape
        self.links.append(_link(resident_id, agency, record_id, f"PER-{record_id}", now))
        self.sources.append(
            {"resident_id": resident_id, "agency": agency, "content_hash": digest, "as_of": now, "attempted_at": now}
        )
        benefit_rows, actions = snapshot_rows(resident_id, agency, records, now)
        self.benefit_rows.extend(benefit_rows)
        self.actions.extend(actions)

    def device(self, resident_id: str, token: str, k: int, locale: str, now: dt.datetime) -> None:
        self.devices.append(
            {
                "id": new_id(),
                "resident_id": resident_id,
                "session_id": None,
                "platform": "android" if k % 2 == 0 else "ios",
                "app_id": "gov.state.benefits",
                "locale": locale,
                "push_token": token,
                "token_hash": token_hash(token),
                "token_suffix": token[-6:],
                "active": True,
                "created_at": now,
                "registered_at": now,
            }
        )

    def campaign(self, resident_id: str, now: dt.datetime) -> None:
        self.events.append(
            {
                "resident_id": resident_id,
                "agency": None,
                "benefit_id": None,
                "type": NOTICE_POSTED,
                "payload": {
                    "benefit_id": None,
                    "agency": "DHS",
                    "program_code": "SNAP",
                    "notice_id": f"campaign-{resident_id}",
                    "title": "Winter energy help",
                    "posted_on": now.date().isoformat(),
                },
                "dedupe_key": f"campaign:winter:{resident_id}",
                "created_at": now,
                "attempts": 0,
            }
        )
