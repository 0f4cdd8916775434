"""Authorized representatives, from both sides: inviting, accepting, listing and ending designations.

The ``{id}`` is the designation's id on both sides. A representative gets nothing here to change the person's
consents, devices, sessions or sign-in: these routes only name, list and end designations.
"""

from __future__ import annotations

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.pages import ListPage
from api.resident.representatives.presenters import designation_body
from api.resident.representatives.schemas import (
    AcceptSchema,
    InvitationRequestSchema,
    InvitationSchema,
    RepresentativeSchema,
    RepresentedSchema,
)
from services.models.identity import Resident
from services.models.representation import ENDED_BY_REPRESENTATIVE, ENDED_BY_RESIDENT
from services.representation import designations, invitations, platform_sync

blp = Blueprint("representatives", __name__, url_prefix="/v1/me", description="Authorized representatives")


def _resident_id() -> str:
    return str(current_principal().resident_id)


@blp.route("/representatives/invitations", methods=["POST"])
@blp.resident()
@blp.arguments(InvitationRequestSchema)
@blp.response(201, InvitationSchema)
def create_invitation(body: dict):
    """Invite someone to act for you at `agencies` (where you have records): the answer's `code` is shown only
    now; it works once, for a verified resident, until `expires_at`."""
    session = db()
    made = invitations.create_invitation(session, _resident_id(), body["agencies"], body["expires_in_days"])
    session.commit()
    invitation = made.invitation
    return {
        "id": invitation.id,
        "code": made.code,
        "agencies": invitation.agencies,
        "expires_at": invitation.expires_at,
        "created_at": invitation.created_at,
    }


@blp.route("/representatives")
@blp.resident()
@blp.paginated(RepresentativeSchema, args=None)
def list_representatives():
    """Who acts for you (or did), newest first: by first name, with each agency's standing."""
    views = designations.designations_of(db(), _resident_id(), designations.PERSON)
    return ListPage([designation_body(view, designations.PERSON) for view in views])


@blp.route("/representatives/<string:designation_id>", methods=["DELETE"])
@blp.resident()
@blp.response(204)
@blp.alt_response(404, description="No such designation naming this resident as the person")
def end_representative(designation_id: str):
    """End a designation: the representative stops acting for you at every agency at once (each agency is told).
    Ending an ended one again is harmless."""
    _end(designation_id, designations.PERSON, ENDED_BY_RESIDENT)


@blp.route("/represented", methods=["POST"])
@blp.resident()
@blp.rate_limited("representative-codes")
@blp.arguments(AcceptSchema)
@blp.response(201, RepresentedSchema)
@blp.alt_response(200, schema=RepresentedSchema, description="You had already accepted this code")
@blp.alt_response(403, description="Identity not verified")
@blp.alt_response(404, description="No invitation with this code, or someone already used it (the same answer)")
@blp.alt_response(409, description="You already act for this person at one of its agencies")
@blp.alt_response(410, description="The invitation expired")
@blp.alt_response(429, description="Too many attempts; see Retry-After")
def accept_invitation(body: dict):
    """Accept an invitation's code (verified residents only) and act for its person at its agencies; the
    designation is then recorded with each agency (`pending` until the agency has it)."""
    session = db()
    designation, created = invitations.accept_invitation(session, session.get(Resident, _resident_id()), body["code"])
    session.commit()
    if created:
        platform_sync.record_with_agencies(current_hub(), designation.id)
        session.expire_all()
    view = designations.view_of(session, designation, designations.REPRESENTATIVE)
    return designation_body(view, designations.REPRESENTATIVE), 201 if created else 200


@blp.route("/represented")
@blp.resident()
@blp.paginated(RepresentedSchema, args=None)
def list_represented():
    """Whom you act for (or did), newest first: by first name, with each agency's standing."""
    views = designations.designations_of(db(), _resident_id(), designations.REPRESENTATIVE)
    return ListPage([designation_body(view, designations.REPRESENTATIVE) for view in views])


@blp.route("/represented/<string:designation_id>", methods=["DELETE"])
@blp.resident()
@blp.response(204)
@blp.alt_response(404, description="No such designation naming this resident as the representative")
def step_down(designation_id: str):
    """Step down: stop acting for the person at every agency at once (each agency is told). Harmless twice."""
    _end(designation_id, designations.REPRESENTATIVE, ENDED_BY_REPRESENTATIVE)


def _end(designation_id: str, side: str, ended_by: str) -> None:
    session = db()
    designation = designations.designation_on_side(session, _resident_id(), designation_id, side)
    ended = designations.end_designation(designation, ended_by)
    session.commit()
    if ended:
        platform_sync.tell_endings(current_hub(), designation.id)
