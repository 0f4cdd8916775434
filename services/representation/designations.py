"""Designations as their two sides (and support) see them, and ending one.

The person sees who acts for them (``/v1/me/representatives``), the representative whom they act for
(``/v1/me/represented``); both by the designation's id, newest first, ended ones kept as history. Each side
sees the other by first name only: nothing else about them is needed to recognise them.

Ending is for the whole designation, by whoever may: the person (``resident``), the representative
(``representative``), support (``support``, with a reason), or the agencies (``agency``: every agency part
ended on the platform, ``platform_sync``). Ending an ended designation answers it unchanged. Each agency part
still standing is marked ended at once (the hub stops acting on it); telling the platform follows after the
commit and is retried until it is told (``platform_ended_at``).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from services import clock
from services.errors import NotFound
from services.models.identity import Resident
from services.models.representation import (
    PLATFORM_ENDED,
    DesignationAgency,
    RepresentativeDesignation,
)

PERSON, REPRESENTATIVE = "person", "representative"  # which side is asking


@dataclasses.dataclass(frozen=True)
class DesignationView:
    designation: RepresentativeDesignation
    other_first_name: str | None  # the representative's for the person, the person's for the representative

    @property
    def active(self) -> bool:
        return bool(self.designation.active_agencies())


def standing_agencies_between(session: Session, person_id: str, representative_id: str) -> set[str]:
    """The agencies where ``representative_id`` already acts for ``person_id``."""
    designations = session.scalars(
        select(RepresentativeDesignation)
        .where(
            RepresentativeDesignation.person_id == person_id,
            RepresentativeDesignation.representative_id == representative_id,
            RepresentativeDesignation.ended_at.is_(None),
        )
        .options(selectinload(RepresentativeDesignation.agencies))
    )
    return {agency for designation in designations for agency in designation.active_agencies()}


def designations_of(session: Session, resident_id: str, side: str) -> list[DesignationView]:
    """The resident's designations on ``side`` (``person`` or ``representative``), newest first."""
    mine = RepresentativeDesignation.person_id if side == PERSON else RepresentativeDesignation.representative_id
    other = RepresentativeDesignation.representative_id if side == PERSON else RepresentativeDesignation.person_id
    rows = session.execute(
        select(RepresentativeDesignation, Resident.given_name)
        .join(Resident, Resident.id == other)
        .where(mine == resident_id)
        .options(selectinload(RepresentativeDesignation.agencies))
        .order_by(RepresentativeDesignation.created_at.desc(), RepresentativeDesignation.id.desc())
    )
    return [DesignationView(designation, first_name) for designation, first_name in rows]


def view_of(session: Session, designation: RepresentativeDesignation, side: str) -> DesignationView:
    other = designation.representative_id if side == PERSON else designation.person_id
    return DesignationView(designation, session.scalar(select(Resident.given_name).where(Resident.id == other)))


def designation_on_side(
    session: Session, resident_id: str, designation_id: str, side: str
) -> RepresentativeDesignation:
    """The resident's own designation on ``side``; a 404 for anyone else's (the same answer as none)."""
    designation = session.get(RepresentativeDesignation, designation_id)
    holder = None
    if designation is not None:
        holder = designation.person_id if side == PERSON else designation.representative_id
    if holder != resident_id:
        raise NotFound("No such designation for this resident.")
    return designation


def end_designation(designation: RepresentativeDesignation, ended_by: str, reason: str | None = None) -> bool:
    """End the designation and every agency part still standing; ``False`` when it had already ended."""
    if designation.ended_at is not None:
        return False
    now = clock.now()
    designation.ended_at, designation.ended_by, designation.end_reason = now, ended_by, reason
    for part in designation.agencies:
        if part.status != PLATFORM_ENDED:
            end_part(part, ended_by, reason, at=now)
    return True


def end_part(part: DesignationAgency, ended_by: str, reason: str | None, *, at) -> None:
    """One agency's part ends; the platform still has to be told unless it was never recorded there."""
    part.status, part.ended_at, part.ended_by, part.end_reason = PLATFORM_ENDED, at, ended_by, reason
    if part.platform_designation_id is None:
        part.platform_ended_at = at  # the platform never had it: nothing to tell


@dataclasses.dataclass(frozen=True)
class SupportView:
    """A designation as support sees it: both sides by id and first name."""

    designation: RepresentativeDesignation
    person_first_name: str | None
    representative_first_name: str | None


def designations_involving(session: Session, resident_id: str) -> list[SupportView]:
    """Every designation where the resident is the person or the representative, newest first (support)."""
    person, representative = aliased(Resident), aliased(Resident)
    rows = session.execute(
        select(RepresentativeDesignation, person.given_name, representative.given_name)
        .join(person, person.id == RepresentativeDesignation.person_id)
        .join(representative, representative.id == RepresentativeDesignation.representative_id)
        .where(
            or_(
                RepresentativeDesignation.person_id == resident_id,
                RepresentativeDesignation.representative_id == resident_id,
            )
        )
        .options(selectinload(RepresentativeDesignation.agencies))
        .order_by(RepresentativeDesignation.created_at.desc(), RepresentativeDesignation.id.desc())
    )
    return [SupportView(*row) for row in rows]


def designation_involving(session: Session, resident_id: str, designation_id: str) -> RepresentativeDesignation:
    """A designation where the resident is either side; a 404 otherwise."""
    designation = session.get(RepresentativeDesignation, designation_id)
    if designation is None or resident_id not in (designation.person_id, designation.representative_id):
        raise NotFound("No such designation for this resident.")
    return designation
