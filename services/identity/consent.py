"""Consent per agency: which linked agencies' data the resident shares into the app.

No ``Consent`` row means granted (the state's data-sharing agreement is the default; see the model). The
benefits and notifications code ask ``shared_agencies`` / ``consent_granted`` before showing or sending
anything, so revoking hides that agency everywhere and granting again restores it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.errors import NotFound
from services.models.identity import Consent, ResidentLink
from services.vocabulary import AGENCIES


@dataclasses.dataclass(frozen=True)
class AgencyConsent:
    agency: str
    granted: bool
    linked: bool
    updated_at: dt.datetime | None


def _revoked(session: Session, resident_id: str) -> set[str]:
    stmt = select(Consent.agency).where(Consent.resident_id == resident_id, Consent.granted.is_(False))
    return set(session.scalars(stmt))


def _linked(session: Session, resident_id: str) -> set[str]:
    return set(session.scalars(select(ResidentLink.agency).where(ResidentLink.resident_id == resident_id).distinct()))


def shared_agencies(session: Session, resident_id: str) -> set[str]:
    """Agencies whose data may be shown to this resident: linked, and consent not revoked."""
    return _linked(session, resident_id) - _revoked(session, resident_id)


def granted_agencies(session: Session, resident_id: str) -> list[str]:
    """Every agency the hub knows that the resident has not withheld, linked or not, in ``AGENCIES`` order."""
    revoked = _revoked(session, resident_id)
    return [agency for agency in AGENCIES if agency not in revoked]


def withheld_agencies_by_resident(session: Session, resident_ids: Iterable[str]) -> dict[str, set[str]]:
    """For many residents in one statement (a batch of pushes): the agencies each one stopped sharing."""
    ids = sorted(set(resident_ids))
    withheld: dict[str, set[str]] = {resident_id: set() for resident_id in ids}
    if ids:
        stmt = select(Consent.resident_id, Consent.agency).where(
            Consent.resident_id.in_(ids), Consent.granted.is_(False)
        )
        for resident_id, agency in session.execute(stmt):
            withheld[resident_id].add(agency)
    return withheld


def consent_granted(session: Session, resident_id: str, agency: str) -> bool:
    """Whether the resident shares ``agency``'s data (true unless they revoked it)."""
    stmt = select(Consent.granted).where(Consent.resident_id == resident_id, Consent.agency == agency)
    return session.scalar(stmt) is not False


def agency_consents(session: Session, resident_id: str) -> list[AgencyConsent]:
    """Every agency the hub knows, with the resident's choice and whether they have records there."""
    rows = {row.agency: row for row in session.scalars(select(Consent).where(Consent.resident_id == resident_id))}
    linked = _linked(session, resident_id)
    return [
        AgencyConsent(
            agency=agency,
            granted=rows[agency].granted if agency in rows else True,
            linked=agency in linked,
            updated_at=rows[agency].updated_at if agency in rows else None,
        )
        for agency in AGENCIES
    ]


def set_consent(session: Session, resident_id: str, agency: str, granted: bool) -> AgencyConsent:
    """Record the resident's choice for ``agency`` (the caller commits); unknown agencies are a ``NotFound``."""
    if agency not in AGENCIES:
        raise NotFound(f"There is no agency called {agency[:16]!r}; agencies are {', '.join(AGENCIES)}.")
    row = session.scalar(select(Consent).where(Consent.resident_id == resident_id, Consent.agency == agency))
    if row is None:
        row = Consent(resident_id=resident_id, agency=agency, granted=granted)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # a concurrent request wrote it first
            row = session.scalar(select(Consent).where(Consent.resident_id == resident_id, Consent.agency == agency))
    row.granted = granted
    row.updated_at = clock.now()
    session.flush()
    return AgencyConsent(agency, granted, agency in _linked(session, resident_id), row.updated_at)
