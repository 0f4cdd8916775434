"""Linking a resident to their agency records: by verified identity through the person index (here), or by a
case number plus the code printed on that case's letters (``letter_links``). Linking is idempotent; each link
records how it was made (``method``), what proved the record's person is the resident (``proof``), and when.

Only residents with verified identity are linked at all (benefit data needs IAL2). A person index that does
not answer never fails a sign-in: the failure is recorded on the resident and the search is retried on the
next sign-in and by the ``identity.link_records`` background job. A record the index links here that another
hub account already holds (the same person with a second account) is linked, and that account is told
(``link_notices``): never silently.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.hub import Hub
from services.identity.field_crypto import FieldCipher
from services.identity.link_notices import tell_other_holders
from services.identity.person_index import PersonIndex, PersonIndexUnavailable
from services.models.identity import LinkMethod, LinkProof, Resident, ResidentLink

log = logging.getLogger("hub.identity.linking")


def resident_link(session: Session, resident_id: str, agency: str, record_id: str) -> ResidentLink | None:
    return session.scalar(
        select(ResidentLink).where(
            ResidentLink.resident_id == resident_id,
            ResidentLink.agency == agency,
            ResidentLink.record_id == record_id,
        )
    )


def ensure_link(
    session: Session,
    resident_id: str,
    *,
    agency: str,
    record_id: str,
    person_id: str | None,
    method: LinkMethod,
    proof: LinkProof,
) -> tuple[ResidentLink, bool]:
    """The link for (resident, agency, record), created if new; ``True`` when it was created."""
    found = resident_link(session, resident_id, agency, record_id)
    if found is not None:
        return found, False
    link = ResidentLink(
        resident_id=resident_id,
        agency=agency,
        record_id=record_id,
        platform_person_id=person_id,
        method=method,
        proof=proof,
    )
    try:
        with session.begin_nested():
            session.add(link)
    except IntegrityError:  # a concurrent sign-in linked it first
        return resident_link(session, resident_id, agency, record_id), False
    return link, True


def verified_attributes(resident: Resident, cipher: FieldCipher) -> dict[str, str | None]:
    """What the person index matches on, from the resident's verified identity (decrypted for the call only)."""
    return {
        "given_name": resident.given_name,
        "family_name": resident.family_name,
        "birthdate": cipher.decrypt(resident.birthdate_encrypted),
        "ssn_last4": cipher.decrypt(resident.ssn_last4_encrypted),
    }


def search_records(session: Session, resident: Resident, index: PersonIndex, cipher: FieldCipher) -> bool:
    """Ask the person index for a verified resident's records and link them; ``False`` if it must be retried.

    An unverified resident, or one without the attributes to search by, is not searched.
    """
    attributes = verified_attributes(resident, cipher)
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
    resident.platform_person_id = match.person_id if match else None
    for record in match.records if match else ():
        link, created = ensure_link(
            session,
            resident.id,
            agency=record.agency,
            record_id=record.record_id,
            person_id=match.person_id,
            method=LinkMethod.MPI,
            proof=LinkProof.IDENTITY,
        )
        if created:
            tell_other_holders(session, link)
    return True


RETRY_EVERY_SECONDS = 300
RETRY_BATCH = 200


@job("identity.link_records", every_seconds=RETRY_EVERY_SECONDS)
def link_records_job(hub: Hub, resident_id: str | None = None) -> int:
    """Search the person index again: for one resident, or (periodically) for every resident whose last
    search failed. Returns how many searches completed."""
    index, cipher = hub.person_index, hub.field_cipher
    with hub.session() as session:
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
