"""What a representative does for the person: ``POST /v1/me/represented/{id}/actions/{action_id}/documents`` (send
a file for their document action), ``GET …/actions/{action_id}/slots`` and ``PUT …/actions/{action_id}/appointment``
(book or move their interview), ``GET …/appointments/{appointment_id}.ics``.

Each is the person's own route for the person's action (the same checks, answers and documented shapes:
``api.resident.documents.routes``, ``api.resident.appointments.routes``), narrowed to the designation's agencies
the person shares: an action or appointment at another agency is the same 404 as none. The upload is the
person's (their receipt, their tracking number) and names the representative who sent it; the upload and the
booking are in the person's access log ("Rosa, your representative, uploaded a document for you"), written in the
same transaction, so an idempotent replay records nothing twice. Listing the times and saving the calendar file
are reads, recorded as such.
"""

from __future__ import annotations

from api.current_hub import current_hub
from api.database import db
from api.pages import ListPage
from api.resident.acting_for.access import ActingForBlueprint, record
from api.resident.appointments.routes import CALENDAR_DOC, calendar_response, documented_booking, documented_slots
from api.resident.documents.routes import documented_upload, receive_upload
from services import interviews
from services.models.documents import InterviewAppointment
from services.representation.acting import Acting

blp = ActingForBlueprint(
    "acting-for-paperwork",
    __name__,
    url_prefix="/v1/me/represented",
    description="Acting for someone: documents and interviews",
)
NOT_FOUND = "No such action of the person at the designation's agencies"


@blp.route("/<designation_id>/actions/<action_id>/documents", methods=["POST"])
@blp.acting_for()
@documented_upload(blp, NOT_FOUND)
def upload_for(action_id: str, acting: Acting):
    """Send one file for the person's document action, as they would (``POST /v1/me/actions/{id}/documents``)."""
    return receive_upload(
        acting.person_id,
        action_id,
        within=acting.agencies,
        uploaded_by=acting.grant.representative_id,
        recorded=lambda upload: record(
            acting, "represented.document.upload", about=[upload.agency], fields=[f"document:{upload.id}"]
        ),
    )


@blp.route("/<designation_id>/actions/<action_id>/slots", methods=["GET"])
@blp.acting_for(reads="represented.slots.read")
@documented_slots(blp, NOT_FOUND)
def slots_for(action_id: str, acting: Acting):
    """The interview times the agency offers the person now, soonest first."""
    platform = current_hub().platform
    return ListPage(interviews.open_slots(db(), platform, acting.person_id, action_id, acting.agencies))


@blp.route("/<designation_id>/actions/<action_id>/appointment", methods=["PUT"])
@blp.acting_for()
@documented_booking(blp, NOT_FOUND)
def book_for(body: dict, action_id: str, acting: Acting):
    """Book or move the person's interview to one of the offered times; the agency confirms through the platform."""
    session = db()
    appointment = interviews.book(
        session, current_hub().platform, acting.person_id, action_id, body["slot_id"], acting.agencies
    )
    record(acting, "represented.interview.book", about=[appointment.agency], fields=[f"appointment:{appointment.id}"])
    session.commit()
    return ForThePerson(appointment, calendar_url(acting, appointment.id))


@blp.route("/<designation_id>/appointments/<appointment_id>.ics", methods=["GET"])
@blp.acting_for(reads="represented.appointment.read")
@blp.doc(**CALENDAR_DOC)
@blp.alt_response(404, description="No such appointment of the person at the designation's agencies")
def calendar_for(appointment_id: str, acting: Acting):
    """The person's booked interview as a calendar file."""
    return calendar_response(interviews.own_appointment(db(), acting.person_id, appointment_id, acting.agencies))


def calendar_url(acting: Acting, appointment_id: str) -> str:
    return f"/v1/me/represented/{acting.grant.designation_id}/appointments/{appointment_id}.ics"


class ForThePerson:
    """The person's appointment as ``AppointmentSchema`` shows it to their representative (its calendar file is
    under the designation)."""

    def __init__(self, appointment: InterviewAppointment, calendar_url: str) -> None:
        self._appointment, self.calendar_url = appointment, calendar_url

    def __getattr__(self, name: str):
        return getattr(self._appointment, name)
