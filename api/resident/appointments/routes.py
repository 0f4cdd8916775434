"""``GET /v1/me/actions/{id}/slots``, ``PUT /v1/me/actions/{id}/appointment`` (book or move the interview, with
``Idempotency-Key``) and ``GET /v1/me/appointments/{id}.ics``: the resident's own interview actions only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint, stacked
from api.pages import ListPage
from api.resident.appointments.schemas import AppointmentSchema, BookingSchema, SlotSchema
from services import interviews

blp = Blueprint("appointments", __name__, url_prefix="/v1/me", description="Interview times and bookings")


def documented_slots(on: Blueprint, not_found: str) -> Callable[[Callable], Callable]:
    """A slots route's answers, for any blueprint ``on`` (the resident's own, a representative's)."""
    return stacked(
        on.paginated(SlotSchema, args=None),
        on.alt_response(404, description=not_found),
        on.alt_response(409, description="The interview can no longer be booked"),
        on.alt_response(422, description="The action is not an interview"),
        on.alt_response(503, description="The agency cannot list times right now"),
    )


def documented_booking(on: Blueprint, not_found: str) -> Callable[[Callable], Callable]:
    """A booking route's ``Idempotency-Key``, body and answers, for any blueprint ``on``."""
    return stacked(
        on.idempotent(),
        on.arguments(BookingSchema),
        on.response(200, AppointmentSchema),
        on.alt_response(404, description=not_found),
        on.alt_response(409, description="The time was just taken, or the interview can no longer be booked"),
        on.alt_response(422, description="A time the agency does not offer or that has begun, or not an interview"),
        on.alt_response(503, description="The agency cannot book right now"),
    )


CALENDAR_DOC = {"responses": {"200": {"description": "An iCalendar file", "content": {"text/calendar": {}}}}}


@blp.route("/actions/<action_id>/slots", methods=["GET"])
@blp.resident()
@documented_slots(blp, "No such action of this resident")
def list_slots(action_id: str):
    """The interview times the agency offers now (open and not begun), soonest first."""
    slots = interviews.open_slots(db(), current_hub().platform, current_principal().resident_id, action_id)
    return ListPage(slots)


@blp.route("/actions/<action_id>/appointment", methods=["PUT"])
@blp.resident()
@documented_booking(blp, "No such action of this resident")
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
@blp.doc(**CALENDAR_DOC)
@blp.alt_response(404, description="No such appointment of this resident")
def appointment_calendar(appointment_id: str):
    """The booked interview as a calendar file to add to the phone's calendar."""
    return calendar_response(interviews.own_appointment(db(), current_principal().resident_id, appointment_id))


def calendar_response(appointment) -> Response:
    content = interviews.calendar_file(appointment, current_hub().settings.public_url)
    return Response(
        content, mimetype="text/calendar", headers={"Content-Disposition": 'attachment; filename="interview.ics"'}
    )
