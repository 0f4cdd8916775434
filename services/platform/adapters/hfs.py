"""HFS Medicaid: a FHIR R4 searchset Bundle of Coverage, with renewal/document Tasks and notice Communications.
``GET hfs/fhir/Coverage?beneficiary=Patient/{record_id}``.

FHIR's Coverage.status has no "denied": a ``cancelled`` coverage that never had an approval notice is a
denied application, otherwise a closed case.
"""

from __future__ import annotations

from services.platform.adapters.common import Page, Request, code, derived_status, iso_datetime, json_body, us_date
from services.platform.records import Action, BenefitRecord, Notice, SourceError, SourceErrorKind, StatusStep
from services.platform.status_reasons import reason_code

AGENCY = "HFS"
EXT = "https://sandbox.hfs.example/fhir/StructureDefinition"
RENEWAL_DUE_URL = f"{EXT}/renewal-due-date"
STATUS_REASON_URL = f"{EXT}/status-reason"
CASE_SYSTEM = "https://sandbox.hfs.example/fhir/sid/medicaid-case-number"
PROGRAMS = {"2": "MEDICAID"}  # Source of Payment Typology: 2 = Medicaid
STATUSES = {"active": "active", "draft": "pending", "cancelled": "cancelled"}
TASK_KINDS = {"renewal": "renewal", "document": "document"}
TASK_STATES = {
    "requested": "open",
    "received": "open",
    "accepted": "open",
    "in-progress": "open",
    "completed": "done",
    "cancelled": "cancelled",
    "rejected": "cancelled",
    "failed": "missed",
}
APPROVAL_NOTICES = {"MAPP", "MRNW"}


def first_request(ref) -> Request:
    return Request("hfs/fhir/Coverage", {"beneficiary": f"Patient/{ref.record_id}"})


def view_stamp(pages: list[Page]):
    """The instant the searchset was produced (``Bundle.timestamp``)."""
    return iso_datetime(json_body(AGENCY, pages[0]).get("timestamp"))


def normalise(pages: list[Page]) -> list[BenefitRecord]:
    bundle = json_body(AGENCY, pages[0])
    if bundle.get("resourceType") != "Bundle" or bundle.get("type") != "searchset":
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, "not a FHIR searchset Bundle")
    resources = [entry["resource"] for entry in bundle.get("entry") or ()]
    related: dict[str, list[dict]] = {}
    for resource in resources:
        for reference in _references(resource):
            related.setdefault(reference, []).append(resource)
    return [
        _coverage(resource, related.get(f"Coverage/{resource['id']}", []))
        for resource in resources
        if resource["resourceType"] == "Coverage"
    ]


def _references(resource: dict) -> list[str]:
    if resource["resourceType"] == "Task":
        return [resource["focus"]["reference"]]
    if resource["resourceType"] == "Communication":
        return [about["reference"] for about in resource.get("about") or ()]
    return []


def _coverage(coverage: dict, related: list[dict]) -> BenefitRecord:
    case_number = next(i["value"] for i in coverage["identifier"] if i.get("system") == CASE_SYSTEM)
    program = code(AGENCY, PROGRAMS, coverage["type"]["coding"][0]["code"], "coverage type")
    extensions = {e["url"]: e for e in coverage.get("extension") or ()}
    agency_reason = extensions.get(STATUS_REASON_URL, {}).get("valueString")
    notices = tuple(
        Notice(
            resource["id"],
            str(resource["payload"][0]["contentString"]),
            us_date(resource["sent"]),
        )
        for resource in related
        if resource["resourceType"] == "Communication"
    )
    notice_codes = {
        coding["code"]
        for resource in related
        if resource["resourceType"] == "Communication"
        for category in resource.get("category") or ()
        for coding in category.get("coding") or ()
    }
    base = code(AGENCY, STATUSES, coverage["status"], "coverage status")
    if base == "cancelled":
        base = "closed" if notice_codes & APPROVAL_NOTICES else "denied"
    actions = tuple(_task(resource) for resource in related if resource["resourceType"] == "Task")
    period = coverage.get("period") or {}
    since = us_date(period.get("end")) if base in ("closed", "denied") else us_date(period.get("start"))
    status, since, derived_reason = derived_status(base, since, actions)
    renewal = extensions.get(RENEWAL_DUE_URL)
    plans = {c["type"]["coding"][0]["code"]: c["value"] for c in coverage.get("class") or ()}
    return BenefitRecord(
        agency=AGENCY,
        key=f"{program}:{case_number}",
        program_code=program,
        case_number=str(case_number),
        status=status,
        status_reason=derived_reason or reason_code(agency_reason),
        status_since=since,
        certification_start=us_date(period.get("start")) if base == "active" else None,
        certification_end=us_date(period.get("end")) if base == "active" else None,
        renewal_due_on=us_date(renewal["valueDate"]) if renewal else None,
        plan=plans.get("group") or None,
        actions=actions,
        notices=notices,
        history=(StatusStep(base, since, reason_code(agency_reason)),) if since else (),
    )


def _task(task: dict) -> Action:
    kind = code(AGENCY, TASK_KINDS, task["code"]["coding"][0]["code"], "task code")
    state = code(AGENCY, TASK_STATES, task["status"], "task status")
    if state == "open" and (task.get("businessStatus") or {}).get("text") == "overdue":
        state = "overdue"
    due = us_date(((task.get("restriction") or {}).get("period") or {}).get("end"))
    return Action(task["id"], kind, str(task.get("description") or kind.title()), state, due_on=due)
