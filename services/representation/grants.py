"""What a representative may do for the person, read in one place: every route acting for someone asks here.

A ``Grant`` is an active designation as its reader needs it: whose, held by whom, at which agencies still
standing. Consent still rules on top of it: a reader intersects ``agencies`` with the person's
``services.visibility.visibility_of(...).shown``, so an agency the person stopped sharing is not shown either.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.errors import NotFound
from services.models.representation import RepresentativeDesignation


@dataclasses.dataclass(frozen=True)
class Grant:
    designation_id: str
    person_id: str  # the represented resident's id
    representative_id: str  # the acting resident's id
    agencies: frozenset[str]  # the designation's agencies still active (not ended by anyone)
    origin: str  # "invitation" | "agency"


def grant_of(designation: RepresentativeDesignation) -> Grant | None:
    """The grant an active designation gives; ``None`` once it has ended, or every one of its agencies has."""
    agencies = designation.active_agencies()
    if not agencies:
        return None
    return Grant(
        designation_id=designation.id,
        person_id=designation.person_id,
        representative_id=designation.representative_id,
        agencies=frozenset(agencies),
        origin=designation.origin,
    )


def grant_for(session: Session, representative_id: str, designation_id: str) -> Grant:
    """The active designation ``designation_id`` held by ``representative_id``; else the 404 problem (the same
    answer for unknown, someone else's, and ended: never tell them apart)."""
    designation = session.get(RepresentativeDesignation, designation_id)
    grant = grant_of(designation) if designation is not None else None
    if grant is None or grant.representative_id != representative_id:
        raise NotFound("No such designation for this resident.")
    return grant


def active_grants_for_person(session: Session, person_id: str) -> list[Grant]:
    """Every active designation of the person, oldest first (for copies of their notices)."""
    designations = session.scalars(
        select(RepresentativeDesignation)
        .where(RepresentativeDesignation.person_id == person_id, RepresentativeDesignation.ended_at.is_(None))
        .options(selectinload(RepresentativeDesignation.agencies))
        .order_by(RepresentativeDesignation.created_at, RepresentativeDesignation.id)
    )
    return [grant for grant in map(grant_of, designations) if grant is not None]
