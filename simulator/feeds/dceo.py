"""DCEO energy assistance (LIHEAP): nested JSON, applicant → applications → awards, ISO dates, numeric dollars."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.people.model import AgencyRecord, Person
from simulator.people.timeline import CaseView, case_on

APPLICATION_STATES = {
    "pending": "in_review",
    "active": "approved",
    "denied": "denied",
    "closed": "withdrawn",
    "suspended": "on_hold",
}


def iso(start_date: date, day: int | None) -> str | None:
    return None if day is None else (start_date + timedelta(days=day)).isoformat()


def program_year(applied: date) -> str:
    """LIHEAP program years start in September."""
    return f"PY{applied.year + 1 if applied.month >= 9 else applied.year}"


def render_applicant(person: Person, record: AgencyRecord, day: int, start_date: date) -> dict:
    return {
        "applicant": {
            "applicant_id": record.record_id,
            "household_size": person.household_size,
            "service_address": {"city": person.city, "state": "IL", "zip": person.zip_code},
            "applications": [_application(case_on(case, day, start_date), start_date) for case in record.cases],
        }
    }


def _application(view: CaseView, start: date) -> dict:
    case = view.case
    decided = next((s for s in view.history if s.status != "pending"), None)
    paid = {p.day for p in view.payments}
    awards = []
    if view.status == "active":
        pay_day = next(iter(sorted(paid)), None)
        awards.append(
            {
                "award_id": f"{case.case_number}-AW1",
                "benefit_type": "heating",
                "amount": case.amount_cents / 100,
                "vendor": {"name": case.plan},
                "status": "paid" if pay_day is not None else "pledged",
                "paid_on": iso(start, pay_day),
            }
        )
    return {
        "application_number": case.case_number,
        "program": case.program,
        "program_year": program_year(start + timedelta(days=case.applied_day)),
        "submitted_on": iso(start, case.applied_day),
        "state": APPLICATION_STATES[view.status],
        "decision": None
        if decided is None
        else {
            "decided_on": iso(start, decided.day),
            "outcome": "approved" if decided.status == "active" else decided.status,
            "reason": decided.reason,
        },
        "awards": awards,
        "document_requests": [
            {
                "id": doc.request_id,
                "document": doc.description,
                "requested_on": iso(start, doc.requested_day),
                "due_on": iso(start, doc.due_day),
                "state": state,
            }
            for doc, state in view.documents
        ],
        "letters": [
            {"id": n.notice_id, "code": n.code, "sent_on": iso(start, n.day), "subject": n.title} for n in view.notices
        ],
        "timeline": [
            {"on": iso(start, s.day), "state": APPLICATION_STATES[s.status], "note": s.reason} for s in view.history
        ],
    }
