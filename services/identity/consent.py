"""Consent per agency: the resident's choice of which agencies' data are shared into the app.

No ``Consent`` row means granted (the state's data-sharing agreement is the default; see the model). What a
choice hides, and from whom, is decided in one place, ``services.visibility``, which every reader asks; this
module records choices and lists them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.errors import NotFound
from services.models.identity import Consent, ResidentLink
from services.visibility import Visibility
from services.vocabulary import AGENCIES


@dataclasses.dataclass(frozen=True)
class AgencyConsent:
    agency: str
    granted: bool
    linked: bool
    updated_at: dt.datetime | None


def agency_consents(session: Session, visibility: Visibility) -> list[AgencyConsent]:
    """Every agency the hub knows, with the resident's choice (and when they made it) and whether they have
    records there."""
    stmt = select(Consent.agency, Consent.updated_at).where(Consent.resident_id == visibility.resident_id)
    chosen_at = {agency: at for agency, at in session.execute(stmt)}
    linked = visibility.linked
    return [
        AgencyConsent(agency, visibility.shares(agency), agency in linked, chosen_at.get(agency)) for agency in AGENCIES
    ]


def set_consent(session: Session, resident_id: str, agency: str, granted: bool) -> AgencyConsent:
    """Record the resident's choice for ``agency``; unknown agencies are a ``NotFound``."""
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
    linked = session.scalar(
        select(ResidentLink.id).where(ResidentLink.resident_id == resident_id, ResidentLink.agency == agency).limit(1)
    )
    return AgencyConsent(agency, granted, linked is not None, row.updated_at)
