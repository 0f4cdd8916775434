"""DHS integrated eligibility: camelCase JSON, agency status codes, dollars as strings, dates as MM/DD/YYYY."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.people.model import AgencyRecord, Person
from simulator.people.timeline import CaseView, case_on

STATUS_CODES = {"pending": "PEND", "active": "ACTV", "denied": "DENY", "closed": "CLSD", "suspended": "SUSP"}
DOCUMENT_CODES = {"requested": "REQD", "received": "RCVD", "overdue": "OVDU"}
DOCUMENT_TYPES = {"income": "INCM", "identity": "IDEN", "residency": "RESD", "expenses": "EXPN", "employment": "EMPL"}
APPOINTMENT_STATES = {"scheduled": "SCHEDULED", "completed": "COMPLETED", "missed": "MISSED"}
REDETERMINATION_CODES = {"upcoming": "NOT_SENT", "packet_sent": "SENT", "returned": "RECEIVED", "overdue": "OVERDUE"}
ISSUANCE_TYPES = {"initial": "INIT", "regular": "REG", "award": "SUPP"}
RELATIONSHIP_CODES = {"self": "SELF", "spouse": "SPOU", "child": "CHLD", "other": "OTHR"}


def us_date(start_date: date, day: int | None) -> str | None:
    return None if day is None else (start_date + timedelta(days=day)).strftime("%m/%d/%Y")


def dollars(cents: int | None) -> str | None:
    return None if cents is None else f"{cents // 100}.{cents % 100:02d}"


def render_dhs_cases(person: Person, record: AgencyRecord, day: int, start_date: date) -> dict:
    members = [
        {
            "relationshipCode": RELATIONSHIP_CODES[member.relationship],
            "birthDate": member.birthdate.strftime("%m/%d/%Y"),
        }
        for member in person.household_members()
    ]
    return {
        "clientId": record.record_id,
        "asOfDate": us_date(start_date, day),
        "cases": [_case(case_on(case, day, start_date), start_date, members) for case in record.cases],
    }


def _case(view: CaseView, start: date, members: list[dict]) -> dict:
    case = view.case
    return {
        "caseNumber": case.case_number,
        "programCode": case.program,
        "statusCode": STATUS_CODES[view.status],
        "statusDate": us_date(start, view.status_day),
        "statusReason": view.status_reason,
        "applicationDate": us_date(start, case.applied_day),
        "certPeriod": None
        if view.cert_start_day is None or view.status in ("pending", "denied")
        else {"beginDate": us_date(start, view.cert_start_day), "endDate": us_date(start, view.cert_end_day)},
        "benefitAmount": dollars(case.amount_cents) if view.status == "active" else None,
        "benefitFrequency": "MONTHLY" if case.issuance_day_of_month else None,
        "foodPackage": case.plan or None if case.program == "WIC" else None,
        "issuanceDay": case.issuance_day_of_month,
        "nextIssuanceDate": us_date(start, view.next_payment_day),
        "redetermination": None
        if view.renewal_due_day is None
        else {
            "dueDate": us_date(start, view.renewal_due_day),
            "formSentDate": us_date(start, view.renewal_packet_day),
            "statusCode": REDETERMINATION_CODES[view.renewal_state],
        },
        "pendingVerifications": [
            {
                "verificationId": doc.request_id,
                "docTypeCode": DOCUMENT_TYPES.get(doc.kind, "OTHR"),
                "description": doc.description,
                "requestDate": us_date(start, doc.requested_day),
                "dueDate": us_date(start, doc.due_day),
                "statusCode": DOCUMENT_CODES[state],
            }
            for doc, state in view.documents
        ],
        "appointments": [
            {
                "appointmentId": appt.appointment_id,
                "typeCode": "INTV",
                "date": us_date(start, appt.day),
                "time": appt.time,
                "modeCode": appt.mode.upper(),
                "statusCode": APPOINTMENT_STATES[state],
            }
            for appt, state in view.appointments
        ],
        "notices": [
            {"noticeId": n.notice_id, "formCode": n.code, "title": n.title, "mailDate": us_date(start, n.day)}
            for n in view.notices
        ],
        "issuances": [
            {"issuanceDate": us_date(start, p.day), "amount": dollars(p.cents), "typeCode": ISSUANCE_TYPES[p.kind]}
            for p in view.payments
        ],
        "householdMembers": members,
        "statusHistory": [
            {"statusCode": STATUS_CODES[s.status], "effectiveDate": us_date(start, s.day), "reason": s.reason}
            for s in view.history
        ],
    }
