"""What a resident sees about themselves at ``GET /v1/me``: profile, identity status in plain language, links.

Nothing sensitive is returned: no date of birth, no SSN digits, no agency record ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.errors import NotFound
from services.models.identity import Resident
from services.texts.catalogue import texts
from services.visibility import visibility_of


def identity_verification(resident: Resident) -> dict[str, Any]:
    """Whether the resident's identity is verified, and if not what to do, in their language (``identity.json``)."""
    status = "verified" if resident.identity_verified else "needed"
    step = texts().lookup(resident.locale, "identity", "verification", status, "next_step")
    return {
        "status": status,
        "message": texts().text(resident.locale, "identity", "verification", status, "message"),
        "next_step": step.value if step else None,
    }


def record_search(resident: Resident, linked: bool) -> dict[str, Any]:
    """Where the search for the resident's agency records stands."""
    if not resident.identity_verified:
        status = "not_applicable"
    elif resident.records_search_error:
        status = "retrying"
    elif linked:
        status = "found"
    else:
        status = "none_found" if resident.records_searched_at else "not_started"
    return {"status": status, "searched_at": resident.records_searched_at}


def resident_profile(session: Session, resident_id: str) -> dict[str, Any]:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("There is no such resident.")
    visibility = visibility_of(session, resident_id)
    links = sorted(visibility.links, key=lambda link: (link.agency, link.linked_at, link.id))
    return {
        "id": resident.id,
        "name": resident.name,
        "email": resident.email,
        "locale": resident.locale,
        "time_zone": resident.time_zone,
        "identity_verified": resident.identity_verified,
        "identity_verification": identity_verification(resident),
        "links": [
            {
                "id": link.id,
                "agency": link.agency,
                "method": link.method,
                "proof": link.proof,
                "linked_at": link.linked_at,
                "shared": visibility.shares(link.agency),
            }
            for link in links
        ],
        "record_search": record_search(resident, bool(links)),
    }
