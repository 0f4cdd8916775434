"""HFS Medicaid: an HL7 FHIR R4 searchset Bundle of Coverage, with renewal Tasks and notice Communications included."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.people.model import AgencyRecord, Person
from simulator.people.timeline import CaseView, case_on

EXT = "https://sandbox.hfs.example/fhir/StructureDefinition"
RENEWAL_DUE_URL = f"{EXT}/renewal-due-date"
RENEWAL_STATUS_URL = f"{EXT}/renewal-status"
STATUS_REASON_URL = f"{EXT}/status-reason"
CASE_SYSTEM = "https://sandbox.hfs.example/fhir/sid/medicaid-case-number"
TASK_CODE_SYSTEM = "https://sandbox.hfs.example/fhir/CodeSystem/task-code"
NOTICE_CODE_SYSTEM = "https://sandbox.hfs.example/fhir/CodeSystem/notice-code"
COVERAGE_STATUS = {
    "active": "active",
    "suspended": "active",
    "pending": "draft",
    "denied": "cancelled",
    "closed": "cancelled",
}


def iso(start_date: date, day: int | None) -> str | None:
    return None if day is None else (start_date + timedelta(days=day)).isoformat()


def instant(start_date: date, day: int) -> str:
    return f"{iso(start_date, day)}T06:00:00Z"


def render_coverage_bundle(
    person: Person | None, record: AgencyRecord | None, day: int, start_date: date, base_url: str, patient_id: str
) -> dict:
    """Search results for Coverage?beneficiary=Patient/{patient_id}; unknown patients give an empty searchset."""
    entries: list[dict] = []
    coverages = 0
    for case in record.cases if record else ():
        view = case_on(case, day, start_date)
        coverages += 1
        entries.append(_entry(base_url, _coverage(view, patient_id, start_date), "match"))
        entries.extend(_entry(base_url, resource, "include") for resource in _related(view, patient_id, start_date))
    return {
        "resourceType": "Bundle",
        "id": f"search-{patient_id}-{day}",
        "meta": {"lastUpdated": instant(start_date, day)},
        "type": "searchset",
        "timestamp": instant(start_date, day),
        "total": coverages,
        "link": [
            {"relation": "self", "url": f"{base_url}/platform/hfs/fhir/Coverage?beneficiary=Patient/{patient_id}"}
        ],
        "entry": entries,
    }


def _entry(base_url: str, resource: dict, mode: str) -> dict:
    return {
        "fullUrl": f"{base_url}/platform/hfs/fhir/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": {"mode": mode},
    }


def _coverage(view: CaseView, patient_id: str, start: date) -> dict:
    case = view.case
    plan, _, group = case.plan.partition("|")
    extensions = [{"url": STATUS_REASON_URL, "valueString": view.status_reason}]
    if view.renewal_due_day is not None and view.status == "active":
        extensions.append({"url": RENEWAL_DUE_URL, "valueDate": iso(start, view.renewal_due_day)})
        extensions.append({"url": RENEWAL_STATUS_URL, "valueCode": view.renewal_state})
    period = {"start": iso(start, view.cert_start_day if view.cert_start_day is not None else case.applied_day)}
    if view.status in ("active", "suspended") and view.cert_end_day is not None:
        period["end"] = iso(start, view.cert_end_day)
    elif view.status in ("denied", "closed"):
        period["end"] = iso(start, view.status_day)
    return {
        "resourceType": "Coverage",
        "id": f"cov-{case.case_number}",
        "meta": {"lastUpdated": instant(start, view.last_changed_day)},
        "extension": extensions,
        "identifier": [{"system": CASE_SYSTEM, "value": case.case_number}],
        "status": COVERAGE_STATUS[view.status],
        "type": {"coding": [{"system": "https://nahdo.org/sopt", "code": "2", "display": "MEDICAID"}]},
        "beneficiary": {"reference": f"Patient/{patient_id}"},
        "relationship": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "self"}]
        },
        "period": period,
        "payor": [{"display": "Illinois Department of Healthcare and Family Services"}],
        "class": [
            {
                "type": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "plan"}]
                },
                "value": plan or "MEDICAID",
            },
            {
                "type": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class", "code": "group"}]
                },
                "value": group or "HC-FFS",
            },
        ],
    }


def _task(
    task_id: str,
    code: str,
    description: str,
    status: str,
    overdue: bool,
    authored: str,
    due: str,
    patient_id: str,
    coverage_id: str,
) -> dict:
    task = {
        "resourceType": "Task",
        "id": task_id,
        "status": status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": code}]},
        "description": description,
        "focus": {"reference": f"Coverage/{coverage_id}"},
        "for": {"reference": f"Patient/{patient_id}"},
        "authoredOn": authored,
        "restriction": {"period": {"end": due}},
    }
    if overdue:
        task["businessStatus"] = {"text": "overdue"}
    return task


def _related(view: CaseView, patient_id: str, start: date) -> list[dict]:
    case = view.case
    coverage_id = f"cov-{case.case_number}"
    out = []
    if view.renewal_packet_day is not None:
        out.append(
            _task(
                f"rnw-{case.case_number}-{view.renewal_due_day}",
                "renewal",
                "Return your Medicaid renewal packet",
                "completed" if view.renewal_state == "returned" else "requested",
                view.renewal_state == "overdue",
                iso(start, view.renewal_packet_day),
                iso(start, view.renewal_due_day),
                patient_id,
                coverage_id,
            )
        )
    for doc, state in view.documents:
        out.append(
            _task(
                f"doc-{doc.request_id}",
                "document",
                doc.description,
                "completed" if state == "received" else "requested",
                state == "overdue",
                iso(start, doc.requested_day),
                iso(start, doc.due_day),
                patient_id,
                coverage_id,
            )
        )
    for notice in view.notices:
        out.append(
            {
                "resourceType": "Communication",
                "id": f"ntc-{notice.notice_id}",
                "status": "completed",
                "category": [{"coding": [{"system": NOTICE_CODE_SYSTEM, "code": notice.code}]}],
                "subject": {"reference": f"Patient/{patient_id}"},
                "about": [{"reference": f"Coverage/{coverage_id}"}],
                "sent": instant(start, notice.day),
                "payload": [{"contentString": notice.title}],
            }
        )
    return out
