"""Designations and the platform: recording them with each agency, telling it of endings, and taking in what
the agencies recorded or ended themselves.

- **Recording**: right after an acceptance commits (``record_with_agencies``), each ``pending`` agency part is
  recorded on the person's record there, named by the representative's first and family name (what the agency
  needs to know who acts; nothing else is sent). The platform is idempotent by the hub's designation id, so a
  retry records it once.
- **Endings**: a part that ended at the hub and that the platform had recorded is told to it
  (``tell_endings``), with who ended it, until the platform confirms (``platform_ended_at``).
- **From the platform** (``apply_platform_designations``): an agency-recorded designation whose person and
  representative are both hub residents (the person by their record, the representative by the platform person
  id the person index gave them at sign-in) becomes a designation of origin ``agency``; a designation the
  platform reports ended ends its agency part here (``ended_by`` ``agency``), and the designation with it once
  no part stands. This runs when a source of the person's is refreshed in the background
  (``benefits.refresh_source``), when the representative signs in (``representation.discover``), and every
  15 minutes for what is already known (``representation.reconcile``).
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.hub import Hub
from services.models.identity import Resident, ResidentLink
from services.models.representation import (
    ENDED_BY_AGENCY,
    ORIGIN_AGENCY,
    PLATFORM_ENDED,
    PLATFORM_PENDING,
    PLATFORM_RECORDED,
    DesignationAgency,
    RepresentativeDesignation,
)
from services.platform.records import SourceError
from services.representation.designations import end_part
from services.vocabulary import AGENCIES

log = logging.getLogger("hub.representation")
RECONCILE_BATCH = 200


def record_with_agencies(hub: Hub, designation_id: str) -> None:
    """Record each pending agency part of the designation with the platform; what fails stays pending."""
    with hub.session() as session:
        parts = session.scalars(
            select(DesignationAgency).where(
                DesignationAgency.designation_id == designation_id, DesignationAgency.status == PLATFORM_PENDING
            )
        ).all()
        for part in parts:
            _record(hub, session, part)
        session.commit()


def _record(hub: Hub, session: Session, part: DesignationAgency) -> None:
    designation = part.designation
    record_id = session.scalar(
        select(ResidentLink.record_id)
        .where(ResidentLink.resident_id == designation.person_id, ResidentLink.agency == part.agency)
        .order_by(ResidentLink.record_id)
        .limit(1)
    )
    representative = session.get(Resident, designation.representative_id)
    if record_id is None or representative is None:
        return
    named = {"given_name": representative.given_name or "", "family_name": representative.family_name or ""}
    try:
        answer = hub.platform.record_designation(part.agency, record_id, designation.id, named)
    except SourceError as error:
        log.warning("designation not recorded", extra={"agency": part.agency, "kind": error.kind})
        return
    part.platform_designation_id = str(answer["designation_id"])
    if part.status == PLATFORM_PENDING:
        part.status, part.recorded_at = PLATFORM_RECORDED, clock.now()
    else:  # it ended while being recorded: the platform must hear of the end too
        part.platform_ended_at = None


def tell_endings(hub: Hub, designation_id: str | None = None) -> int:
    """Tell the platform of parts ended at the hub that it had recorded (one designation's, or a batch)."""
    with hub.session() as session:
        stmt = select(DesignationAgency).where(
            DesignationAgency.status == PLATFORM_ENDED,
            DesignationAgency.platform_ended_at.is_(None),
            DesignationAgency.platform_designation_id.is_not(None),
        )
        if designation_id is not None:
            stmt = stmt.where(DesignationAgency.designation_id == designation_id)
        told = 0
        for part in session.scalars(stmt.order_by(DesignationAgency.id).limit(RECONCILE_BATCH)).all():
            try:
                hub.platform.end_designation(part.agency, part.platform_designation_id, part.ended_by or "resident")
            except SourceError as error:
                log.warning("designation end not told", extra={"agency": part.agency, "kind": error.kind})
                continue
            part.platform_ended_at = clock.now()
            told += 1
        session.commit()
    return told


def reconcile_record(hub: Hub, person_id: str, agency: str) -> int:
    """Take in the platform's designations of the person's records at ``agency``; → how many changed here."""
    with hub.session() as session:
        record_ids = session.scalars(
            select(ResidentLink.record_id).where(ResidentLink.resident_id == person_id, ResidentLink.agency == agency)
        ).all()
        reported: list[dict] = []
        for record_id in record_ids:
            try:
                reported += hub.platform.record_designations(agency, record_id)
            except SourceError as error:
                log.warning("designations not read", extra={"agency": agency, "kind": error.kind})
                return 0
        changed = apply_platform_designations(session, reported)
        session.commit()
    return changed


def discover_for_representative(hub: Hub, resident_id: str) -> int:
    """Take in the designations the platform holds naming this resident as the representative."""
    with hub.session() as session:
        resident = session.get(Resident, resident_id)
        if resident is None or not resident.identity_verified or not resident.platform_person_id:
            return 0
        try:
            reported = hub.platform.designations_naming(resident.platform_person_id)
        except SourceError as error:
            log.warning("designations not read", extra={"agency": error.agency, "kind": error.kind})
            return 0
        changed = apply_platform_designations(session, reported)
        session.commit()
    return changed


def apply_platform_designations(session: Session, reported: list[dict]) -> int:
    """Make the hub agree with the platform's designations (see the module docstring); → how many changed."""
    changed = 0
    for item in reported:
        agency, platform_id = item.get("agency"), item.get("designation_id")
        if agency not in AGENCIES or not platform_id:
            continue
        part = session.scalar(
            select(DesignationAgency).where(
                DesignationAgency.agency == agency, DesignationAgency.platform_designation_id == str(platform_id)
            )
        )
        if item.get("status") == "ended":
            changed += _ended_by_agency(part)
        elif part is None and item.get("recorded_by") == "agency":
            changed += _agency_recorded(session, item, agency, str(platform_id))
    return changed


def _ended_by_agency(part: DesignationAgency | None) -> int:
    if part is None or part.status == PLATFORM_ENDED:
        return 0
    now = clock.now()
    end_part(part, ENDED_BY_AGENCY, None, at=now)
    part.platform_ended_at = now  # the platform is where it ended
    designation = part.designation
    if designation.ended_at is None and not designation.active_agencies():
        designation.ended_at, designation.ended_by = now, ENDED_BY_AGENCY
    return 1


def _agency_recorded(session: Session, item: dict, agency: str, platform_id: str) -> int:
    person_id = session.scalar(
        select(ResidentLink.resident_id)
        .where(ResidentLink.agency == agency, ResidentLink.record_id == str(item.get("record_id") or ""))
        .order_by(ResidentLink.linked_at)
        .limit(1)
    )
    representative_person = (item.get("representative") or {}).get("person_id")
    representative_id = session.scalar(
        select(Resident.id).where(
            Resident.platform_person_id == str(representative_person or ""), Resident.identity_verified.is_(True)
        )
    )
    if person_id is None or representative_id is None or person_id == representative_id:
        return 0  # taken in later: when both are hub residents, at the next refresh or sign-in
    session.add(
        RepresentativeDesignation(
            person_id=person_id,
            representative_id=representative_id,
            origin=ORIGIN_AGENCY,
            created_at=_instant(item.get("recorded_at")) or clock.now(),
            agencies=[
                DesignationAgency(
                    agency=agency,
                    position=AGENCIES.index(agency),
                    status=PLATFORM_RECORDED,
                    platform_designation_id=platform_id,
                    recorded_at=_instant(item.get("recorded_at")) or clock.now(),
                )
            ],
        )
    )
    session.flush()
    return 1


def _instant(value) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@job("representation.discover")
def discover_job(hub: Hub, resident_id: str) -> int:
    """After a verified sign-in: the designations agencies recorded naming this resident as the representative."""
    return discover_for_representative(hub, resident_id)


@job("representation.reconcile", every_seconds=900)
def reconcile_job(hub: Hub) -> int:
    """Retry recordings the platform could not take, tell it of endings, and take in agencies' endings of what
    the hub already knows."""
    with hub.session() as session:
        pending = session.scalars(
            select(DesignationAgency.designation_id)
            .where(DesignationAgency.status == PLATFORM_PENDING)
            .distinct()
            .limit(RECONCILE_BATCH)
        ).all()
        standing = session.execute(
            select(RepresentativeDesignation.person_id, DesignationAgency.agency)
            .join(DesignationAgency)
            .where(DesignationAgency.status == PLATFORM_RECORDED, RepresentativeDesignation.ended_at.is_(None))
            .distinct()
            .limit(RECONCILE_BATCH)
        ).all()
    for designation_id in pending:
        record_with_agencies(hub, designation_id)
    told = tell_endings(hub)
    return told + sum(reconcile_record(hub, person_id, agency) for person_id, agency in standing)


@job("representation.reconcile_record")
def reconcile_record_job(hub: Hub, person_id: str, agency: str) -> int:
    """After a background refresh or a pushed change of the person's record at ``agency``: the agency's
    designations of it (an ending, or one it recorded itself)."""
    return reconcile_record(hub, person_id, agency)


def has_standing_part(session: Session, person_id: str, agency: str) -> bool:
    """Whether the person has a designation standing at ``agency`` (so a change there may have ended it)."""
    return (
        session.scalar(
            select(DesignationAgency.id)
            .join(RepresentativeDesignation)
            .where(
                RepresentativeDesignation.person_id == person_id,
                RepresentativeDesignation.ended_at.is_(None),
                DesignationAgency.agency == agency,
                DesignationAgency.status != PLATFORM_ENDED,
            )
            .limit(1)
        )
        is not None
    )
