"""``POST /v1/me/links``: linking an agency record the person index did not match, by its letter code."""

from __future__ import annotations

from flask import g, request

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.resident.links.schemas import LinkRequestSchema, LinkSchema
from services.identity.letter_links import LetterLinkRequest, link_by_letter
from services.identity.link_notices import AuditPlace
from services.models.identity import Resident
from services.visibility import visibility_of

blp = Blueprint("links", __name__, url_prefix="/v1/me", description="Linking the resident's agency records")


def _resident_id() -> str:
    return str(current_principal().resident_id)


@blp.route("/links", methods=["POST"])
@blp.resident()
@blp.rate_limited("links")
@blp.idempotent()
@blp.arguments(LinkRequestSchema)
@blp.response(201, LinkSchema)
@blp.alt_response(200, schema=LinkSchema, description="Already linked (linking is idempotent)")
@blp.alt_response(403, description="Identity not verified, or the case not proven to be the resident's")
@blp.alt_response(404, description="No case with that number and letter code")
@blp.alt_response(409, description="The case is already linked to another account")
@blp.alt_response(429, description="Too many attempts, or linking locked after refused ones; see Retry-After")
def link_record(body: dict):
    """Link an agency record the person index did not match at sign-in: its case number and the code on its
    letter, and proof that the case is the resident's. The hub first asks the person index whether the case's
    person is the resident's verified identity; if not, `birthdate` (the resident's own date of birth, as
    verified at sign-in) is checked by the agency against the case's person. Refused attempts are throttled
    and then locked out, per account and per case."""
    session = db()
    resident = session.get(Resident, _resident_id())
    request_body = LetterLinkRequest(
        agency=body["agency"],
        case_number=body["case_number"].strip(),
        letter_code=body["letter_code"].replace(" ", "").upper(),
        birthdate=body["birthdate"].isoformat() if body.get("birthdate") else None,
    )
    place = AuditPlace(route=f"{request.method} {request.url_rule.rule}", request_id=g.get("request_id"))
    link, created = link_by_letter(current_hub(), session, resident, request_body, place)
    shared = visibility_of(session, resident.id).shares(link.agency)
    view = {
        "id": link.id,
        "agency": link.agency,
        "method": link.method,
        "proof": link.proof,
        "linked_at": link.linked_at,
        "shared": shared,
    }
    return view, 201 if created else 200
