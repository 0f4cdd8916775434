"""``GET /v1/me/actions/{id}/slots``, ``PUT /v1/me/actions/{id}/appointment`` (book or move the interview, with
``Idempotency-Key``) and ``GET /v1/me/appointments/{id}.ics``: the resident's own interview actions only."""

from __future__ import annotations

from flask import Response

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.pages import ListPage
from api.resident.appointments.schemas import AppointmentSchema, BookingSchema, SlotSchema
from services import interviews

blp = Blueprint("appointments", __name__, url_prefix="/v1/me", description="Interview times and bookings")


@blp.route("/actions/<action_id>/slots", methods=["GET"])
@blp.resident()
@blp.paginated(SlotSchema, args=None)
@blp.alt_response(404, description="No such action of this resident")
@blp.alt_response(409, description="The interview can no longer be booked")
@blp.alt_response(422, description="The action is not an interview")
@blp.alt_response(503, description="The agency cannot list times right now")
def list_slots(action_id: str):
    """The interview times the agency offers now (open and not begun), soonest first."""
    slots = interviews.open_slots(db(), current_hub().platform, current_principal().resident_id, action_id)
    return ListPage(slots)


@blp.route("/actions/<action_id>/appointment", methods=["PUT"])
@blp.resident()
@blp.idempotent()
@blp.arguments(BookingSchema)
@blp.response(200, AppointmentSchema)
@blp.alt_response(404, description="No such action of this resident")
@blp.alt_response(409, description="The time was just taken, or the interview can no longer be booked")
@blp.alt_response(422, description="A time the agency does not offer or that has begun, or not an interview")
@blp.alt_response(503, description="The agency cannot book right now")
def book_interview(body: dict, action_id: str):
    """Book the interview at one of the offered times, or move it there; the agency confirms through the platform."""
    session = db()
    appointment = interviews.book(
        session, current_hub().platform, current_principal().resident_id, action_id, body["slot_id"]
    )
    session.commit()
    return appointment


@blp.route("/appointments/<appointment_id>.ics", methods=["GET"])
@blp.resident()
@blp.doc(responses={"200": {"description": "An iCalendar file", "content": {"text/calendar": {}}}})
@blp.alt_response(404, description="No such appointment of this resident")
def appointment_calendar(appointment_id: str):
    """The booked interview as a calendar file to add to the phone's calendar."""
    appointment = interviews.own_appointment(db(), current_principal().resident_id, appointment_id)
    content = interviews.calendar_file(appointment, current_hub().settings.public_url)
    return Response(
        content, mimetype="text/calendar", headers={"Content-Disposition": 'attachment; filename="interview.ics"'}
    )
