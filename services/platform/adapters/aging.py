"""Department on Aging (Community Care, Benefit Access): a flat, paged batch export, one row per program or
event line, UPPERCASE terse columns, YYYYMMDD dates. ``GET aging/export?person_id=&page=&page_size=``."""

from __future__ import annotations

import datetime as dt

from services.platform.adapters.common import Page, Request, code, derived_status, json_body, local_datetime
from services.platform.records import (
    Action,
    BenefitRecord,
    Notice,
    SourceError,
    SourceErrorKind,
    StatusStep,
    stable_key,
)
from services.platform.status_reasons import reason_code

AGENCY = "AGING"
PAGE_SIZE = 500
PROGRAMS = {"CCP", "BAP"}
STATUSES = {"P": "pending", "A": "active", "D": "denied", "T": "closed", "S": "suspended"}
APPOINTMENTS = {"SCH": "open", "CMP": "done", "MIS": "missed"}
DOCUMENTS = {"REQ": "open", "RCV": "done", "OVD": "overdue"}
RENEWALS = {"NS": None, "SNT": "open", "RCV": "done", "OVD": "overdue"}
RECORD_TYPES = {"ENR", "HST", "APT", "DOC", "RNW", "NTC"}


def first_request(ref) -> Request:
    return Request(
        "aging/export", {"person_id": ref.person_id or ref.record_id, "page": "1", "page_size": str(PAGE_SIZE)}
    )


def next_request(ref, previous: Request, page: Page) -> Request | None:
    following = _page(page).get("next_page")
    if following is None:
        return None
    if not isinstance(following, int) or following <= int(previous.params["page"]):
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, f"next_page {following!r} does not move forward")
    return Request(previous.path, {**previous.params, "page": str(following)})


def view_stamp(pages: list[Page]):
    """The export's day (``as_of``, ``YYYYMMDD``); a paged export is as old as its oldest page."""
    days = [_page(page).get("as_of") for page in pages]
    if not days or any(not day for day in days):
        return None
    return min(dt.datetime.strptime(str(day), "%Y%m%d").date() for day in days)


def normalise(pages: list[Page]) -> list[BenefitRecord]:
    cases: dict[tuple[str, str], list[dict]] = {}
    for page in pages:
        for row in _page(page)["rows"]:
            cases.setdefault((row["PGM_CD"], str(row["CASE_NO"])), []).append(row)
    return [_case(program, number, rows) for (program, number), rows in cases.items()]


def _page(page: Page) -> dict:
    body = json_body(AGENCY, page)
    if not isinstance(body, dict) or not isinstance(body.get("rows"), list):
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, "an export page without rows")
    return body


def _case(program: str, number: str, rows: list[dict]) -> BenefitRecord:
    program = code(AGENCY, {p: p for p in PROGRAMS}, program, "program")
    for row in rows:
        code(AGENCY, {r: r for r in RECORD_TYPES}, row["REC_TYP"], "record type")
    enrolment = [row for row in rows if row["REC_TYP"] == "ENR"]
    if len(enrolment) != 1:
        raise SourceError(AGENCY, SourceErrorKind.MALFORMED, f"{len(enrolment)} enrolment rows for one case")
    enrolment = enrolment[0]
    base = code(AGENCY, STATUSES, enrolment["STAT_CD"], "status")
    actions: list[Action] = []
    renewal_due_on = None
    notices = []
    for row in rows:
        kind = row["REC_TYP"]
        if kind == "APT":
            day = ymd(row["EFF_DT"])
            actions.append(
                Action(
                    f"apt:{row['EFF_DT']}:{row.get('APPT_TM') or ''}",
                    "interview",
                    "In-home reassessment visit" if "REASSESS" in str(row.get("DESC")).upper() else "Appointment",
                    code(AGENCY, APPOINTMENTS, row["EVT_CD"], "appointment code"),
                    due_on=day,
                    scheduled_at=local_datetime(day, row.get("APPT_TM")),
                )
            )
        elif kind == "DOC":
            actions.append(
                Action(
                    f"doc:{row['EFF_DT']}:{stable_key(row.get('DESC'))}",
                    "document",
                    str(row.get("DESC") or "Document"),
                    code(AGENCY, DOCUMENTS, row["EVT_CD"], "document code"),
                    due_on=ymd(row.get("DUE_DT")),
                )
            )
        elif kind == "RNW":
            renewal_due_on = ymd(row["DUE_DT"])
            state = code(AGENCY, RENEWALS, row["EVT_CD"], "renewal code")
            if state is not None:
                actions.append(
                    Action(
                        f"renewal:{row['DUE_DT']}", "renewal", "Return your renewal form", state, due_on=renewal_due_on
                    )
                )
        elif kind == "NTC":
            notices.append(
                Notice(f"{number}-{row['EVT_CD']}-{row['EFF_DT']}", str(row.get("DESC") or ""), ymd(row["EFF_DT"]))
            )
    status, since, derived_reason = derived_status(base, ymd(enrolment.get("EFF_DT")), tuple(actions))
    return BenefitRecord(
        agency=AGENCY,
        key=f"{program}:{number}",
        program_code=program,
        case_number=number,
        status=status,
        status_reason=derived_reason or reason_code(enrolment.get("DESC")),
        status_since=since,
        renewal_due_on=renewal_due_on,
        plan=enrolment.get("SVC_PLAN") or None,
        actions=tuple(actions),
        notices=tuple(notices),
        history=tuple(
            StatusStep(
                code(AGENCY, STATUSES, row["STAT_CD"], "status"), ymd(row["EFF_DT"]), reason_code(row.get("DESC"))
            )
            for row in rows
            if row["REC_TYP"] == "HST"
        ),
    )


def ymd(value: str | None) -> dt.date | None:
    if not value:
        return None
    return dt.datetime.strptime(str(value), "%Y%m%d").date()
