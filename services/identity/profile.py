"""What a resident sees about themselves at ``GET /v1/me``: profile, identity status in plain language, links.

Nothing sensitive is returned: no date of birth, no SSN digits, no agency record ids.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.errors import NotFound
from services.models.identity import Resident
from services.visibility import visibility_of

_VERIFICATION_TEXT = {
    "en": {
        "verified": ("Your identity is verified. The app can show your case information from the agencies.", None),
        "needed": (
            "You signed in without verifying your identity, so the app cannot show any case information yet. "
            "This protects your records from anyone else who might use your email address.",
            "Verify your identity with the state's sign-in service (you will need a photo ID and your Social "
            "Security number), then sign in to the app again.",
        ),
    },
    "es": {
        "verified": ("Su identidad está verificada. La aplicación puede mostrar la información de sus casos.", None),
        "needed": (
            "Inició sesión sin verificar su identidad, así que la aplicación todavía no puede mostrar información "
            "de sus casos. Así se protegen sus registros de cualquier otra persona que use su correo electrónico.",
            "Verifique su identidad en el servicio de inicio de sesión del estado (necesitará una identificación "
            "con foto y su número de Seguro Social) y vuelva a iniciar sesión en la aplicación.",
        ),
    },
}


def identity_verification(resident: Resident) -> dict[str, Any]:
    status = "verified" if resident.identity_verified else "needed"
    message, next_step = _VERIFICATION_TEXT.get(resident.locale, _VERIFICATION_TEXT["en"])[status]
    return {"status": status, "message": message, "next_step": next_step}


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
