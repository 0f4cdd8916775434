"""Residents for partner campaign benchmarks: ``count`` residents, each holding one case of ``agency`` (numbers
``<prefix><n:08d>``) and one phone (token ``<prefix>-phone-<n:08d>``), in bulk (Core inserts, a few thousand rows a
statement). Sandbox only (``flask sandbox seed-partner-cases``): the hub never makes residents this way otherwise."""

from __future__ import annotations

import hashlib

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.db import new_id
from services.models.benefits import Benefit
from services.models.identity import Resident, ResidentLink
from services.models.notifications import Device

CHUNK = 2000


def case_number(prefix: str, n: int) -> str:
    return f"{prefix}{n:08d}"


def push_token(prefix: str, n: int) -> str:
    return f"{prefix.lower()}-phone-{n:08d}-" + "x" * 24


def seed_partner_cases(session: Session, *, count: int, agency: str, prefix: str, app_id: str) -> int:
    """Add the residents, cases and phones in ``session``; the caller commits. Returns how many residents."""
    for start in range(1, count + 1, CHUNK):
        numbers = range(start, min(start + CHUNK, count + 1))
        residents, links, benefits, devices = [], [], [], []
        for n in numbers:
            resident_id, number, token = new_id(), case_number(prefix, n), push_token(prefix, n)
            residents.append(
                {"id": resident_id, "issuer": "bench", "subject": f"{prefix}-{n}", "identity_verified": True}
            )
            links.append(
                {"id": new_id(), "resident_id": resident_id, "agency": agency, "record_id": number, "method": "mpi",
                 "proof": "identity"}
            )  # fmt: skip
            benefits.append(
                {"id": new_id(), "resident_id": resident_id, "agency": agency, "source_key": f"bench:{number}",
                 "program_code": "SNAP", "case_number": number, "status": "active", "document": {}}
            )  # fmt: skip
            devices.append(
                {"id": new_id(), "resident_id": resident_id, "platform": "android", "app_id": app_id,
                 "push_token": token, "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                 "token_suffix": token[-8:]}
            )  # fmt: skip
        for model, rows in ((Resident, residents), (ResidentLink, links), (Benefit, benefits), (Device, devices)):
            session.execute(insert(model), rows)
    return count
