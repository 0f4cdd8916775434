"""The platform's document intake: `POST /platform/documents` (multipart: `upload_id`, `agency`, `record_id`,
`action_key`, `receipt_number`, `file`) acknowledges with a tracking number; `GET /platform/documents/<upload_id>`
answers its status on the scenario clock (`received`, `accepted`, `rejected` with a `reason` code)."""

from __future__ import annotations

from flask import Blueprint, request

from simulator.people.model import AGENCIES
from simulator.platform_api.platform_key import require_platform_key
from simulator.sandbox import current_sandbox, json_error

blueprint = Blueprint("documents", __name__, url_prefix="/platform/documents")
blueprint.before_request(require_platform_key)
FIELDS = ("upload_id", "agency", "record_id", "action_key", "receipt_number")


def _answer(item, day: int) -> dict:
    status, reason, decided_day = item.status_on(day)
    clock = current_sandbox().scenario.clock
    return {
        "upload_id": item.upload_id,
        "tracking_number": item.tracking_number,
        "status": status,
        "reason": reason,
        "received_on": clock.date_of(item.received_day).isoformat(),
        "decided_at": clock.occurred_at(decided_day) if decided_day is not None else None,
    }


def _agency_unwell(agency: str):
    scenario = current_sandbox().scenario
    fault = scenario.faults.get(agency)
    if fault and (fault.mode == "down" or (fault.mode == "error" and scenario.faults.error_now(fault))):
        return json_error(503, "service_unavailable", f"{agency} document intake is unavailable")
    return None


@blueprint.post("")
def receive():
    values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
    upload = request.files.get("file")
    missing = [name for name, value in values.items() if not value] + ([] if upload else ["file"])
    if missing:
        return json_error(422, "invalid_request", "missing " + ", ".join(missing))
    agency = values["agency"].upper()
    if agency not in AGENCIES:
        return json_error(422, "invalid_request", f"no agency {agency!r}")
    unwell = _agency_unwell(agency)
    if unwell:
        return unwell
    scenario = current_sandbox().scenario
    content = upload.read()
    item, new = scenario.intake.receive(
        scenario.clock.day,
        **{**values, "agency": agency},
        content_type=upload.mimetype or "application/octet-stream",
        content=content,
    )
    return _answer(item, scenario.clock.day), 201 if new else 200


@blueprint.get("/<upload_id>")
def status(upload_id: str):
    scenario = current_sandbox().scenario
    item = scenario.intake.get(upload_id)
    if item is None:
        return json_error(404, "not_found", "no document with that upload id")
    unwell = _agency_unwell(item.agency)
    if unwell:
        return unwell
    return _answer(item, scenario.clock.day)


interviews = Blueprint("interviews", __name__, url_prefix="/platform/interviews")
interviews.before_request(require_platform_key)


def _interview(agency: str, record_id: str, action_key: str):
    scenario = current_sandbox().scenario
    found = scenario.population.by_record(agency.upper(), record_id)
    if found is None:
        return None
    _person, record = found
    keys = {a.appointment_id for case in record.cases for a in case.appointments if a.kind == "interview"}
    return scenario if action_key in keys else None


@interviews.get("/<agency>/<record_id>/<action_key>/slots")
def interview_slots(agency: str, record_id: str, action_key: str):
    """The times the agency offers for this interview (only the available ones are bookable)."""
    scenario = _interview(agency, record_id, action_key)
    if scenario is None:
        return json_error(404, "not_found", "no interview with that key for that record")
    unwell = _agency_unwell(agency.upper())
    if unwell:
        return unwell
    return {"slots": scenario.slots.slots(record_id, action_key, scenario.clock.today())}


@interviews.put("/<agency>/<record_id>/<action_key>/appointment")
def book_interview(agency: str, record_id: str, action_key: str):
    """Book or move the interview: `{"slot_id", "booking_id"}` (idempotent by booking id) → the confirmation."""
    scenario = _interview(agency, record_id, action_key)
    if scenario is None:
        return json_error(404, "not_found", "no interview with that key for that record")
    unwell = _agency_unwell(agency.upper())
    if unwell:
        return unwell
    body = request.get_json(silent=True) or {}
    slot_id, booking_id = str(body.get("slot_id", "")), str(body.get("booking_id", ""))
    offered = {s["slot_id"]: s for s in scenario.slots.slots(record_id, action_key, scenario.clock.today())}
    if not booking_id or slot_id not in offered:
        return json_error(422, "invalid_request", "slot_id is not one of the offered slots; booking_id is required")
    booking, problem = scenario.slots.book(record_id, action_key, offered[slot_id], booking_id)
    if problem:
        return json_error(409, "slot_taken", "that slot was just taken")
    return booking
