"""DEC child care assistance (CCAP): XML, attributes for codes and dates, one <Case> per case."""

from __future__ import annotations

from datetime import date, timedelta
from xml.etree import ElementTree as ET

from simulator.people.model import AgencyRecord, Person
from simulator.people.timeline import case_on

NAMESPACE = "urn:sandbox:il:dec:ccap:v1"
STATUS_CODES = {
    "pending": ("PN", "Pending"),
    "active": ("AP", "Approved"),
    "denied": ("DN", "Denied"),
    "closed": ("CL", "Closed"),
    "suspended": ("SU", "Suspended"),
}
REDETERMINATION_STATES = {"upcoming": "NotSent", "packet_sent": "Sent", "returned": "Received", "overdue": "Overdue"}


def iso(start_date: date, day: int | None) -> str:
    return "" if day is None else (start_date + timedelta(days=day)).isoformat()


def render_dec_cases(
    person: Person | None, record: AgencyRecord | None, day: int, start_date: date, person_id: str
) -> str:
    root = ET.Element("CCAPCaseList", {"xmlns": NAMESPACE, "asOf": iso(start_date, day), "personId": person_id})
    if record is not None:
        root.set("recordId", record.record_id)
    for case in record.cases if record else ():
        view = case_on(case, day, start_date)
        code, label = STATUS_CODES[view.status]
        el = ET.SubElement(root, "Case", {"number": case.case_number, "program": case.program})
        ET.SubElement(el, "Status", {"code": code, "since": iso(start_date, view.status_day)}).text = label
        ET.SubElement(el, "StatusReason").text = view.status_reason
        ET.SubElement(el, "Application", {"received": iso(start_date, case.applied_day)})
        if view.cert_start_day is not None and view.status in ("active", "suspended"):
            ET.SubElement(
                el,
                "EligibilityPeriod",
                {"start": iso(start_date, view.cert_start_day), "end": iso(start_date, view.cert_end_day)},
            )
            ET.SubElement(el, "Copayment", {"amount": f"{case.amount_cents / 100:.2f}", "frequency": "monthly"})
        ET.SubElement(el, "Provider").text = case.plan
        if view.renewal_due_day is not None and view.status == "active":
            ET.SubElement(
                el,
                "Redetermination",
                {
                    "due": iso(start_date, view.renewal_due_day),
                    "sent": iso(start_date, view.renewal_packet_day),
                    "state": REDETERMINATION_STATES[view.renewal_state],
                },
            )
        docs = ET.SubElement(el, "DocumentRequests")
        for doc, state in view.documents:
            ET.SubElement(
                docs,
                "DocumentRequest",
                {
                    "id": doc.request_id,
                    "requested": iso(start_date, doc.requested_day),
                    "due": iso(start_date, doc.due_day),
                    "state": state,
                },
            ).text = doc.description
        notices = ET.SubElement(el, "Notices")
        for notice in view.notices:
            ET.SubElement(
                notices, "Notice", {"id": notice.notice_id, "code": notice.code, "date": iso(start_date, notice.day)}
            ).text = notice.title
        history = ET.SubElement(el, "History")
        for step in view.history:
            ET.SubElement(
                history, "Transition", {"date": iso(start_date, step.day), "status": STATUS_CODES[step.status][0]}
            ).text = step.reason
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
