"""Linking a resident to their agency records: by verified identity through the person index, or by a case
number plus the code printed on that case's letters. Linking is idempotent; each link records how and when.

Only residents with verified identity are linked at all (benefit data needs IAL2). A person index that does
not answer never fails a sign-in: the failure is recorded on the resident and the search is retried on the
next sign-in and by the ``identity.link_records`` background job.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.errors import NotFound, SourceUnavailable
from services.identity.errors import IdentityVerificationRequired
from services.identity.field_crypto import FieldCipher
from services.identity.person_index import PersonIndex, PersonIndexUnavailable
from services.models.identity import Resident, ResidentLink

log = logging.getLogger("hub.identity.linking")


def resident_links(session: Session, resident_id: str) -> list[ResidentLink]:
    stmt = select(ResidentLink).where(ResidentLink.resident_id == resident_id)
    return list(session.scalars(stmt.order_by(ResidentLink.agency, ResidentLink.linked_at, ResidentLink.id)))


def ensure_link(
    session: Session, resident_id: str, *, agency: str, record_id: str, person_id: str | None, method: str
) -> tuple[ResidentLink, bool]:
    """The link for (resident, agency, record), created if new; ``True`` when it was created."""

    def existing() -> ResidentLink | None:
        return session.scalar(
            select(ResidentLink).where(
                ResidentLink.resident_id == resident_id,
                ResidentLink.agency == agency,
                ResidentLink.record_id == record_id,
            )
        )

    found = existing()
    if found is not None:
        return found, False
    link = ResidentLink(
        resident_id=resident_id, agency=agency, record_id=record_id, platform_person_id=person_id, method=method
    )
    try:
        with session.begin_nested():
            session.add(link)
    except IntegrityError:  # a concurrent sign-in linked it first
        return existing(), False
    return link, True


def search_records(session: Session, resident: Resident, index: PersonIndex, cipher: FieldCipher) -> bool:
    """Ask the person index for a verified resident's records and link them; ``False`` if it must be retried.

    The caller commits. An unverified resident, or one without the attributes to search by, is not searched.
    """
    attributes = {
        "given_name": resident.given_name,
        "family_name": resident.family_name,
        "birthdate": cipher.decrypt(resident.birthdate_encrypted),
        "ssn_last4": cipher.decrypt(resident.ssn_last4_encrypted),
    }
    if not resident.identity_verified or not all(attributes.values()):
        return True
    try:
        match = index.match(**attributes)
    except PersonIndexUnavailable as error:
        resident.records_search_error = error.kind
        log.warning("person index search failed", extra={"resident_id": resident.id, "error_kind": error.kind})
        return False
    resident.records_searched_at = clock.now()
    resident.records_search_error = None
    for record in match.records if match else ():
        ensure_link(
            session, resident.id, agency=record.agency, record_id=record.record_id, person_id=match.person_id,
            method="mpi",
        )
    return True


def link_by_letter_code(
    session: Session, resident: Resident, index: PersonIndex, *, agency: str, case_number: str, letter_code: str
) -> tuple[ResidentLink, bool]:
    """Link the record behind ``case_number`` if ``letter_code`` is the one on its letters (the caller commits)."""
    if not resident.identity_verified:
        raise IdentityVerificationRequired(
            "Verify your identity with the state's sign-in service before linking agency records."
        )
    try:
        found = index.link(agency=agency, case_number=case_number, letter_code=letter_code)
    except PersonIndexUnavailable:
        raise SourceUnavailable("The agency records index did not answer; try again in a few minutes.") from None
    if found is None:
        raise NotFound(f"No {agency} case matches that case number and letter code.")
    person_id, record = found
    return ensure_link(
        session, resident.id, agency=record.agency, record_id=record.record_id, person_id=person_id,
        method="letter_code",
    )


RETRY_EVERY_SECONDS = 300
RETRY_BATCH = 200


@job("identity.link_records", every_seconds=RETRY_EVERY_SECONDS)
def link_records(context, resident_id: str | None = None) -> int:
    """Search the person index again: for one resident, or (periodically) for every resident whose last
    search failed. Returns how many searches completed."""
    index, cipher = context.component("person_index"), context.component("field_cipher")
    with context.session() as session:
        if resident_id is not None:
            ids = [resident_id]
        else:
            stmt = select(Resident.id).where(Resident.records_search_error.is_not(None)).order_by(Resident.id)
            ids = list(session.scalars(stmt.limit(RETRY_BATCH)))
        completed = 0
        for one_id in ids:
            resident = session.get(Resident, one_id)
            if resident is not None and search_records(session, resident, index, cipher):
                completed += 1
            session.commit()
        return completed
