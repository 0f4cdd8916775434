"""Interview booking: the times an agency offers for a resident's interview action, booking or moving one through
the platform (the agency's confirmation is its answer), and the appointment as a calendar file.

Decisions:

- Slots are asked of the platform when the resident looks (they change by the minute); only times still open and
  not begun are shown.
- A booking must name a slot the agency offers now: one it does not offer is a 422 naming ``slot_id``, one that
  has begun a 422 too, one taken meanwhile a 409 naming ``slot_id``; nothing is stored for any of them. The hub
  stores the appointment only once the agency confirmed it, one per action (booking again moves it in place).
- The booking id sent to the platform is derived from the action and the slot, so a retry (a lost answer, a
  replayed request) books the same thing once.
- A representative books for the person's interview actions at their designation's agencies under the same rules
  (``within``); the appointment is the person's.
- The "interview tomorrow" reminder follows the booked time (``services/benefits/reminders.py`` reads the
  appointment before the agency's own scheduled time).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.benefits.open_actions import open_action
from services.errors import Conflict, InvalidInput, NotFound, SourceUnavailable
from services.models.benefits import BenefitAction
from services.models.documents import InterviewAppointment
from services.models.identity import ResidentLink
from services.platform.client import PlatformClient
from services.platform.records import SourceError
from services.visibility import visibility_of

MODES = {"phone": "phone", "office": "office", "in_person": "office", "video": "video"}


def interview_action(
    session: Session, resident_id: str, action_id: str, within: frozenset[str] | None = None
) -> tuple[BenefitAction, ResidentLink]:
    """The resident's interview action (``within`` a representative's agencies) and its link, or the problem."""
    action = open_action(
        session,
        resident_id,
        action_id,
        kind="interview",
        wrong_kind="This action is not an interview.",
        why="A {kind} action has no interview times; only interview actions do.",
        closed="The interview can no longer be booked (the action is {state}).",
        within=within,
    )
    link = session.scalar(
        select(ResidentLink).where(ResidentLink.resident_id == resident_id, ResidentLink.agency == action.agency)
    )
    if link is None:
        raise NotFound("No such action for this resident.")
    return action, link


def agency_key(action: BenefitAction) -> str:
    """The agency's own id of the appointment (the adapters key an appointment ``appt:<id>``)."""
    return action.source_key.removeprefix("appt:")


def _parse(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(dt.UTC)


def _slot(raw: dict) -> dict:
    return {
        "id": str(raw["slot_id"]),
        "starts_at": _parse(raw["starts_at"]),
        "ends_at": _parse(raw["ends_at"]),
        "mode": MODES.get(str(raw.get("mode")), "phone"),
        "location_or_phone": str(raw.get("location_or_phone") or "")[:200],
        "available": bool(raw.get("available", True)),
    }


def offered_slots(platform: PlatformClient, action: BenefitAction, link: ResidentLink) -> list[dict]:
    """Every slot the agency lists (open or not); a platform that cannot answer is a 503."""
    try:
        body = platform.interview_slots(action.agency, link.record_id, agency_key(action))
        return [_slot(raw) for raw in body["slots"]]
    except SourceError as error:
        raise SourceUnavailable(f"{action.agency} cannot list interview times right now; try again later.") from error
    except (KeyError, TypeError, ValueError):
        raise SourceUnavailable(f"{action.agency} answered with interview times the hub cannot read.") from None


def open_slots(
    session: Session,
    platform: PlatformClient,
    resident_id: str,
    action_id: str,
    within: frozenset[str] | None = None,
) -> list[dict]:
    action, link = interview_action(session, resident_id, action_id, within)
    now = clock.now()
    return [s for s in offered_slots(platform, action, link) if s["available"] and s["starts_at"] > now]


def book(
    session: Session,
    platform: PlatformClient,
    resident_id: str,
    action_id: str,
    slot_id: str,
    within: frozenset[str] | None = None,
) -> InterviewAppointment:
    """Book or move the interview to ``slot_id`` (a representative: ``within`` their agencies); the caller commits."""
    action, link = interview_action(session, resident_id, action_id, within)
    slots = {s["id"]: s for s in offered_slots(platform, action, link)}
    slot = slots.get(slot_id)
    if slot is None:
        raise InvalidInput("That time is not offered.", errors={"slot_id": ["Not one of the times the agency offers."]})
    if slot["starts_at"] <= clock.now():
        raise InvalidInput("That time has passed.", errors={"slot_id": ["This time has already begun."]})
    current = session.scalar(select(InterviewAppointment).where(InterviewAppointment.action_id == action.id))
    if current is not None and current.slot_id == slot_id:
        return current
    if not slot["available"]:
        raise Conflict("That time was just taken; choose another.", errors={"slot_id": ["Taken by someone else."]})
    booking_id = hashlib.sha256(f"{action.id}:{slot_id}".encode()).hexdigest()[:32]
    try:
        confirmed = platform.book_interview(action.agency, link.record_id, agency_key(action), slot_id, booking_id)
    except SourceError as error:
        if "409" in str(error):
            raise Conflict(
                "That time was just taken; choose another.", errors={"slot_id": ["Taken by someone else."]}
            ) from None
        raise SourceUnavailable(f"{action.agency} cannot book interviews right now; try again later.") from error
    now = clock.now()
    if current is None:
        current = InterviewAppointment(resident_id=resident_id, action_id=action.id, booked_at=now)
        session.add(current)
    current.benefit_id, current.agency, current.title = action.benefit_id, action.agency, action.title
    current.slot_id, current.starts_at, current.ends_at = slot_id, slot["starts_at"], slot["ends_at"]
    current.mode, current.location_or_phone = slot["mode"], slot["location_or_phone"]
    current.confirmation_number = str(confirmed["confirmation_number"])[:48]
    current.updated_at = now
    session.flush()
    return current


def own_appointment(
    session: Session, resident_id: str, appointment_id: str, within: frozenset[str] | None = None
) -> InterviewAppointment:
    """The resident's appointment (a representative's: at an agency ``within`` theirs that the resident shares)."""
    found = session.get(InterviewAppointment, appointment_id)
    if found is None or found.resident_id != resident_id:
        raise NotFound("No such appointment for this resident.")
    if within is not None and not visibility_of(session, resident_id).narrowed(within).shares(found.agency):
        raise NotFound("No such appointment for this resident.")
    return found


def calendar_file(appointment: InterviewAppointment, public_url: str) -> bytes:
    """The appointment as an iCalendar file (RFC 5545) a phone's calendar imports."""
    calendar = Calendar()
    calendar.add("prodid", "-//Benefits Hub//Interviews//EN")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"{appointment.id}@{public_url.split('//')[-1].split('/')[0]}")
    event.add("dtstamp", appointment.updated_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", f"{appointment.agency} interview: {appointment.title}")
    how = {"phone": "Phone interview: the agency calls you, or call", "office": "At", "video": "Video:"}[
        appointment.mode
    ]
    event.add("location", appointment.location_or_phone)
    event.add("description", f"{how} {appointment.location_or_phone}. Confirmation {appointment.confirmation_number}.")
    calendar.add_component(event)
    return calendar.to_ical()
