"""What a resident sees about themselves at ``GET /v1/me``: profile, identity status in plain language, links.

Nothing sensitive is returned: no date of birth, no SSN digits, no agency record ids.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from services.errors import NotFound
from services.models.identity import Consent, Resident, ResidentLink
from services.texts.catalogue import texts


def identity_verification(resident) -> dict[str, Any]:
    """Whether the resident's identity is verified, and if not what to do, in their language (``identity.json``)."""
    status = "verified" if resident.identity_verified else "needed"
    step = texts().lookup(resident.locale, "identity", "verification", status, "next_step")
    return {
        "status": status,
        "message": texts().text(resident.locale, "identity", "verification", status, "message"),
        "next_step": step.value if step else None,
    }


def record_search(resident, linked: bool) -> dict[str, Any]:
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


# Built once: the resident and each of their links with whether its agency is shared (no ``granted = false``
# consent: ``services.visibility``'s rule, in SQL), in one statement; no ORM entity, no identity map.
_WITHHELD = aliased(Consent)
_PROFILE = (
    select(
        Resident.id,
        Resident.name,
        Resident.email,
        Resident.locale,
        Resident.time_zone,
        Resident.identity_verified,
        Resident.records_searched_at,
        Resident.records_search_error,
        ResidentLink.id.label("link_id"),
        ResidentLink.agency,
        ResidentLink.method,
        ResidentLink.proof,
        ResidentLink.linked_at,
        _WITHHELD.id.label("withheld"),
    )
    .outerjoin(ResidentLink, ResidentLink.resident_id == Resident.id)
    .outerjoin(
        _WITHHELD,
        (_WITHHELD.resident_id == Resident.id)
        & (_WITHHELD.agency == ResidentLink.agency)
        & _WITHHELD.granted.is_(False),
    )
    .where(Resident.id == bindparam("resident_id"))
)


def resident_profile(connection: Connection, resident_id: str) -> dict[str, Any]:
    """``GET /v1/me``'s body as ``MeSchema`` dumps it (datetimes as ISO 8601 text), read in one statement."""
    rows = connection.execute(_PROFILE, {"resident_id": resident_id}).all()
    if not rows:
        raise NotFound("There is no such resident.")
    resident = rows[0]
    links = sorted(
        (row for row in rows if row.link_id is not None), key=lambda row: (row.agency, row.linked_at, row.link_id)
    )
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
                "id": link.link_id,
                "agency": link.agency,
                "method": link.method,
                "proof": link.proof,
                "linked_at": link.linked_at.isoformat(),
                "shared": link.withheld is None,
            }
            for link in links
        ],
        "record_search": {**record_search(resident, bool(links)), "searched_at": _iso(resident.records_searched_at)},
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
