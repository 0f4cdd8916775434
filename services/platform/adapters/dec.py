"""DEC child care assistance (CCAP): XML with codes and dates in attributes, one ``<Case>`` per case.
``GET dec/cases?person_id=``. The copayment is what the family pays, so it is not shown as a benefit amount."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from services.platform.adapters.common import Page, Request, code, derived_status, us_date
from services.platform.records import Action, BenefitRecord, Notice, SourceError, SourceErrorKind, StatusStep
from services.platform.status_reasons import reason_code

AGENCY = "DEC"
NS = {"c": "urn:sandbox:il:dec:ccap:v1"}
PROGRAMS = {"CCAP"}
STATUSES = {"PN": "pending", "AP": "active", "DN": "denied", "CL": "closed", "SU": "suspended"}
REDETERMINATIONS = {"NotSent": None, "Sent": "open", "Received": "done", "Overdue": "overdue"}
DOCUMENTS = {"requested": "open", "received": "done", "overdue": "overdue"}


def first_request(ref) -> Request:
    return Request("dec/cases", {"person_id": ref.person_id or ref.record_id, "format": "xml"})


def view_stamp(pages: list[Page]):
    """The day of the case list (``asOf``, a date only)."""
    text = pages[0].text
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None
    root = ET.fromstring(text)  # noqa: S314 - no DTD allowed (checked above)
    return us_date(root.get("asOf"))


def normalise(pages: list[Page]) -> list[BenefitRecord]:
    text = pages[0].text
    if "<!DOCTYPE" in text or "<!ENTITY" in text:  # no DTDs: nothing in the feed needs entity expansion
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, "the document declares a DTD")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD allowed (checked above), so no entity expansion
    except ET.ParseError:
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, "the body is not well-formed XML") from None
    if root.tag != f"{{{NS['c']}}}CCAPCaseList":
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, f"unexpected root element {root.tag!r}")
    return [_case(case) for case in root.findall("c:Case", NS)]


def _case(case: ET.Element) -> BenefitRecord:
    program = code(AGENCY, {p: p for p in PROGRAMS}, case.get("program"), "program")
    number = case.attrib["number"]
    status_el = _one(case, "Status")
    base = code(AGENCY, STATUSES, status_el.get("code"), "status")
    actions: list[Action] = []
    renewal_due_on = None
    redetermination = case.find("c:Redetermination", NS)
    if redetermination is not None:
        renewal_due_on = us_date(redetermination.get("due"))
        state = code(AGENCY, REDETERMINATIONS, redetermination.get("state"), "redetermination state")
        if state is not None:
            actions.append(
                Action(
                    f"renewal:{redetermination.get('due')}",
                    "renewal",
                    "Return your redetermination form",
                    state,
                    due_on=renewal_due_on,
                )
            )
    for request in case.findall("c:DocumentRequests/c:DocumentRequest", NS):
        actions.append(
            Action(
                f"doc:{request.attrib['id']}",
                "document",
                (request.text or "Document").strip(),
                code(AGENCY, DOCUMENTS, request.get("state"), "document request state"),
                due_on=us_date(request.get("due")),
            )
        )
    status, since, derived_reason = derived_status(base, us_date(status_el.get("since")), tuple(actions))
    period = case.find("c:EligibilityPeriod", NS)
    reason = case.find("c:StatusReason", NS)
    return BenefitRecord(
        agency=AGENCY,
        key=f"{program}:{number}",
        program_code=program,
        case_number=number,
        status=status,
        status_reason=derived_reason or reason_code(reason.text if reason is not None else None),
        status_since=since,
        certification_start=us_date(period.get("start")) if period is not None else None,
        certification_end=us_date(period.get("end")) if period is not None else None,
        renewal_due_on=renewal_due_on,
        plan=(case.findtext("c:Provider", default="", namespaces=NS) or "").strip() or None,
        actions=tuple(actions),
        notices=tuple(
            Notice(n.attrib["id"], (n.text or "").strip(), us_date(n.attrib["date"]))
            for n in case.findall("c:Notices/c:Notice", NS)
        ),
        history=tuple(
            StatusStep(
                code(AGENCY, STATUSES, t.get("status"), "status"), us_date(t.attrib["date"]), reason_code(t.text)
            )
            for t in case.findall("c:History/c:Transition", NS)
        ),
    )


def _one(case: ET.Element, name: str) -> ET.Element:
    found = case.find(f"c:{name}", NS)
    if found is None:
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, f"a case without <{name}>")
    return found
