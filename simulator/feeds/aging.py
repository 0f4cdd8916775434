"""Department on Aging: a flat batch export, one row per program or event line, UPPERCASE terse columns, YYYYMMDD."""

from __future__ import annotations

from datetime import date, timedelta

from simulator.people.model import AgencyRecord, Person
from simulator.people.timeline import case_on

STATUS_CODES = {"pending": "P", "active": "A", "denied": "D", "closed": "T", "suspended": "S"}
APPOINTMENT_CODES = {"scheduled": "SCH", "completed": "CMP", "missed": "MIS"}
DOCUMENT_CODES = {"requested": "REQ", "received": "RCV", "overdue": "OVD"}
RENEWAL_CODES = {"upcoming": "NS", "packet_sent": "SNT", "returned": "RCV", "overdue": "OVD"}
COLUMNS = (
    "CLT_ID",
    "PERS_ID",
    "PGM_CD",
    "CASE_NO",
    "REC_TYP",
    "SEQ",
    "STAT_CD",
    "EFF_DT",
    "DUE_DT",
    "APPT_TM",
    "EVT_CD",
    "SVC_PLAN",
    "DESC",
)
MAX_PAGE_SIZE = 1000


def ymd(start_date: date, day: int | None) -> str:
    return "" if day is None else (start_date + timedelta(days=day)).strftime("%Y%m%d")


def aging_rows(person: Person, record: AgencyRecord, day: int, start_date: date) -> list[dict]:
    rows: list[dict] = []
    for case in record.cases:
        view = case_on(case, day, start_date)
        keys = {
            "CLT_ID": record.record_id,
            "PERS_ID": person.person_id,
            "PGM_CD": case.program,
            "CASE_NO": case.case_number,
        }

        def row(rec_type: str, keys=keys, **values) -> None:
            rows.append({**dict.fromkeys(COLUMNS, ""), **keys, "REC_TYP": rec_type, "SEQ": len(rows) + 1, **values})

        row(
            "ENR",
            STAT_CD=STATUS_CODES[view.status],
            EFF_DT=ymd(start_date, view.status_day),
            SVC_PLAN=case.plan if view.status == "active" else "",
            DESC=view.status_reason,
        )
        for step in view.history:
            row("HST", STAT_CD=STATUS_CODES[step.status], EFF_DT=ymd(start_date, step.day), DESC=step.reason)
        for appt, state in view.appointments:
            row(
                "APT",
                EVT_CD=APPOINTMENT_CODES[state],
                EFF_DT=ymd(start_date, appt.day),
                APPT_TM=appt.time.replace(":", ""),
                DESC="IN-HOME REASSESSMENT" if appt.kind == "reassessment" else appt.kind.upper(),
            )
        for doc, state in view.documents:
            row(
                "DOC",
                EVT_CD=DOCUMENT_CODES[state],
                EFF_DT=ymd(start_date, doc.requested_day),
                DUE_DT=ymd(start_date, doc.due_day),
                DESC=doc.description,
            )
        if view.renewal_due_day is not None and view.status == "active":
            row(
                "RNW",
                EVT_CD=RENEWAL_CODES[view.renewal_state],
                EFF_DT=ymd(start_date, view.renewal_packet_day),
                DUE_DT=ymd(start_date, view.renewal_due_day),
            )
        for notice in view.notices:
            row("NTC", EVT_CD=notice.code, EFF_DT=ymd(start_date, notice.day), DESC=notice.title)
    return rows


def export_page(rows: list[dict], page: int, page_size: int, total_rows: int, day: int, start_date: date) -> dict:
    """`rows` are this page's rows; `total_rows` counts every row matching the export's filter."""
    last_page = max(1, -(-total_rows // page_size))
    return {
        "export": "AGING_CLIENT_PROGRAMS",
        "as_of": ymd(start_date, day),
        "page": page,
        "page_size": page_size,
        "total_rows": total_rows,
        "next_page": page + 1 if page < last_page else None,
        "rows": rows,
    }
