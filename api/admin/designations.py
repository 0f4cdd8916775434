"""Support staff and authorized representatives: a resident's designations, both directions, and ending one.

Each call needs ``X-Access-Reason`` and is audited under the resident named in its path, with the designation's
id among the fields (so the other side's audit search finds it too). Ending keeps the
stated reason on the designation (``end_reason``; never shown to either resident, who see ``ended_by:
support``), and each agency is told as when a resident ends it.
"""

from __future__ import annotations

import marshmallow as ma

from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import END_DESIGNATIONS, READ_RESIDENTS
from api.current_hub import current_hub
from api.database import db
from api.pages import ListPage
from api.resident.representatives.presenters import designation_body
from api.resident.representatives.schemas import DesignationSchema, PersonNameSchema
from services import support
from services.models.representation import ENDED_BY_SUPPORT
from services.representation import designations, platform_sync
from services.representation.designations import PERSON, DesignationView, SupportView

blp = AdminBlueprint(
    "admin-designations", __name__, url_prefix="/v1/admin", description="Support staff: authorized representatives"
)


class StaffPersonSchema(PersonNameSchema):
    id = ma.fields.String(required=True)


class StaffDesignationSchema(DesignationSchema):
    person = ma.fields.Nested(StaffPersonSchema, required=True)
    representative = ma.fields.Nested(StaffPersonSchema, required=True)
    end_reason = ma.fields.String(allow_none=True, metadata={"description": "the reason support gave for ending it"})


def _body(view: SupportView) -> dict:
    designation = view.designation
    body = designation_body(DesignationView(designation, view.representative_first_name), PERSON)
    return {
        **body,
        "person": {"id": designation.person_id, "first_name": view.person_first_name},
        "representative": {"id": designation.representative_id, "first_name": view.representative_first_name},
        "end_reason": designation.end_reason,
    }


@blp.route("/residents/<resident_id>/designations")
@blp.staff_access(READ_RESIDENTS, "resident.designations.read", fields=("designations",))
@blp.paginated(StaffDesignationSchema, args=None)
def resident_designations(resident_id: str, access: StaffAccess):
    """Who acts for the resident and whom they act for (ended ones too), newest first."""
    session = db()
    support.resident_or_404(session, resident_id)
    return ListPage([_body(view) for view in designations.designations_involving(session, resident_id)])


@blp.route("/residents/<resident_id>/designations/<designation_id>/end", methods=["POST"])
@blp.staff_access(END_DESIGNATIONS, "designation.end", fields=("designations",))
@blp.response(200, StaffDesignationSchema)
@blp.alt_response(404, description="No such designation of this resident (as the person or the representative)")
def end_designation(resident_id: str, designation_id: str, access: StaffAccess):
    """End the designation for both sides at every agency, with the stated `X-Access-Reason` kept as its
    reason. Ending an ended one answers it unchanged."""
    session = db()
    designation = designations.designation_involving(session, resident_id, designation_id)
    access.fields = ["designations", f"designation:{designation.id}"]
    ended = designations.end_designation(designation, ENDED_BY_SUPPORT, access.reason)
    session.commit()
    if ended:
        platform_sync.tell_endings(current_hub(), designation.id)
        session.expire_all()
    [view] = [
        v for v in designations.designations_involving(session, resident_id) if v.designation.id == designation.id
    ]
    return _body(view)
