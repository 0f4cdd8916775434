"""``/v1/me``: who is signed in, their sessions, their consent per agency, and linking a record by letter code."""

from __future__ import annotations

from flask import g, request

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.me.schemas import (
    ConsentSchema,
    ConsentUpdateSchema,
    LinkRequestSchema,
    LinkSchema,
    MeSchema,
    SessionSchema,
)
from api.pages import ListPage
from services.identity import consent, sessions
from services.identity.letter_links import LetterLinkRequest, link_by_letter
from services.identity.link_notices import AuditPlace
from services.identity.profile import resident_profile
from services.models.identity import Resident
from services.visibility import visibility_of

blp = Blueprint("me", __name__, url_prefix="/v1/me", description="The signed-in resident")


def _resident_id() -> str:
    return str(current_principal().resident_id)


@blp.route("")
@blp.resident()
@blp.response(200, MeSchema)
def me():
    """The resident: profile, whether identity is verified (and what to do if not), and linked agencies."""
    return resident_profile(db(), _resident_id())


@blp.route("/sessions")
@blp.resident()
@blp.paginated(SessionSchema)
def list_sessions(args: dict):
    """The resident's live sessions (one per device and app), newest first."""
    page = sessions.resident_sessions_page(db(), _resident_id(), limit=args["limit"], after=args["after"])
    current = current_principal().session_id
    data = [
        {
            "id": s.id,
            "client_id": s.client_id,
            "device_label": s.device_label,
            "user_agent": s.user_agent,
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "current": s.id == current,
        }
        for s in page.items
    ]
    return ListPage.of(page, items=data)


@blp.route("/sessions/<string:session_id>", methods=["DELETE"])
@blp.resident()
@blp.response(204)
@blp.alt_response(404, description="No such session of this resident")
def revoke_session(session_id: str):
    """Sign one device out; its tokens stop working at once. Revoking an ended session again is harmless."""
    session = db()
    hub_session = sessions.resident_session(session, _resident_id(), session_id)
    sessions.revoke_session(session, hub_session, sessions.RevokeReason.RESIDENT)
    session.commit()
    return None


@blp.route("/consents")
@blp.resident()
@blp.paginated(ConsentSchema, args=None)
def list_consents():
    """Every agency, whether its data is shared into the app, and whether the resident has records there."""
    session = db()
    return ListPage(consent.agency_consents(session, visibility_of(session, _resident_id())))


@blp.route("/consents/<string:agency>", methods=["PUT"])
@blp.resident()
@blp.arguments(ConsentUpdateSchema)
@blp.response(200, ConsentSchema)
@blp.alt_response(404, description="No such agency")
def put_consent(body: dict, agency: str):
    """Share (`true`) or hide (`false`) one agency's data: hiding removes it from every read and stops its
    notifications; sharing again restores both."""
    session = db()
    result = consent.set_consent(session, _resident_id(), agency.upper(), body["granted"])
    session.commit()
    return result


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
