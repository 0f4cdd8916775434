"""DCEO energy assistance (LIHEAP): nested JSON applicant → applications → awards, ISO dates, numeric dollars.
``GET dceo/applicants/{record_id}``. An approved application is a one-time award: ``approved``, not ``active``."""

from __future__ import annotations

from services.platform.adapters.common import Page, Request, cents, code, derived_status, json_body, us_date
from services.platform.records import Action, Amount, BenefitRecord, Notice, Payment, StatusStep
from services.platform.status_reasons import reason_code

AGENCY = "DCEO"
PROGRAMS = {"LIHEAP"}
STATES = {
    "in_review": "pending",
    "approved": "approved",
    "denied": "denied",
    "withdrawn": "closed",
    "on_hold": "suspended",
}
DOCUMENT_STATES = {"requested": "open", "received": "done", "overdue": "overdue"}
AWARD_STATES = {"paid", "pledged", "cancelled"}


def first_request(ref) -> Request:
    return Request(f"dceo/applicants/{ref.record_id}")


def normalise(pages: list[Page]) -> list[BenefitRecord]:
    body = json_body(AGENCY, pages[0])
    return [_application(application) for application in body["applicant"]["applications"]]


def _application(application: dict) -> BenefitRecord:
    program = code(AGENCY, {p: p for p in PROGRAMS}, application["program"], "program")
    base = code(AGENCY, STATES, application["state"], "application state")
    awards = application.get("awards") or []
    for award in awards:
        code(AGENCY, {s: s for s in AWARD_STATES}, award["status"], "award status")
    actions = tuple(
        Action(
            f"doc:{request['id']}",
            "document",
            str(request["document"]),
            code(AGENCY, DOCUMENT_STATES, request["state"], "document request state"),
            due_on=us_date(request.get("due_on")),
        )
        for request in application.get("document_requests") or ()
    )
    decision = application.get("decision") or {}
    timeline = application.get("timeline") or []
    since = us_date(timeline[-1]["on"]) if timeline else us_date(application.get("submitted_on"))
    status, since, derived_reason = derived_status(base, since, actions)
    total = sum(cents(award["amount"]) or 0 for award in awards if award["status"] != "cancelled")
    return BenefitRecord(
        agency=AGENCY,
        key=f"{program}:{application['application_number']}",
        program_code=program,
        case_number=str(application["application_number"]),
        status=status,
        status_reason=derived_reason
        or reason_code(decision.get("reason") or (timeline[-1]["note"] if timeline else None)),
        status_since=since,
        amount=Amount(total, "USD", "one_time") if awards else None,
        plan=next((award["vendor"]["name"] for award in awards if award.get("vendor")), None),
        actions=actions,
        notices=tuple(
            Notice(str(letter["id"]), str(letter["subject"]), us_date(letter["sent_on"]))
            for letter in application.get("letters") or ()
        ),
        payments=tuple(
            Payment(str(award["award_id"]), cents(award["amount"]), "USD", us_date(award["paid_on"]))
            for award in awards
            if award["status"] == "paid"
        ),
        history=tuple(
            StatusStep(
                code(AGENCY, STATES, step["state"], "application state"),
                us_date(step["on"]),
                reason_code(step.get("note")),
            )
            for step in timeline
        ),
    )
