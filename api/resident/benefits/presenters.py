"""What a stored benefit looks like to a resident: its record's fields as the schema names them, with localised
names and reasons and a masked case number."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from flask import request

from api.pages import page_meta
from api.resident.benefits.schemas import BenefitDetailSchema, BenefitSchema
from services import clock
from services.benefits.freshness import SourceState
from services.models.benefits import Benefit, BenefitAction
from services.models.documents import DocumentUpload
from services.platform.maintenance import Window
from services.platform.records import record_from_document
from services.texts.catalogue import texts
from services.texts.words import maintenance_message, program_name, status_explanation, status_label, status_reason
from services.vocabulary import STATE_ZONE

MASK = "•••••"


def read_locale(resident_locale: str | None) -> str:
    """``Accept-Language`` when it names a language the hub speaks, else the resident's own, else English."""
    return texts().best_for(request.accept_languages) or texts().language_for(resident_locale)


def mask_case_number(case_number: str) -> str:
    return MASK + case_number[-4:]


def program(code: str, locale: str) -> dict[str, str]:
    return {"code": code, "name": program_name(code, locale)}


# Record fields a resident sees under another name or shape (or not at all), and where. Every other field of
# ``BenefitRecord`` that the schema names is shown as it is stored (a dataclass as its fields): a new field is
# the record's and the schema's, and ``tests/benefits/test_presenter_schema.py`` holds the three together.
PRESENTED_OTHERWISE = {
    "key": "not shown: the agency's own id for the case",
    "program_code": "program",
    "case_number": "case_number, masked",
    "status_reason": "status_reason, in words",
    "certification_start": "certification_period",
    "certification_end": "certification_period",
    "actions": "actions, from the stored rows (their hub ids)",
    "notices": "notices (detail)",
    "payments": "payments (detail)",
    "history": "history (detail)",
    "household": "not shown: kept only for the nudges' rules (who in the household is under five or a senior)",
}
LIST_FIELDS = tuple(BenefitSchema().fields)
DETAIL_FIELDS = tuple(BenefitDetailSchema().fields)


def benefit(
    row: Benefit,
    actions: list[BenefitAction],
    as_of,
    locale: str,
    *,
    detail: bool = False,
    sent: Mapping[str, list[DocumentUpload]] | None = None,
) -> dict[str, Any]:
    """The benefit as ``BenefitSchema`` (``BenefitDetailSchema`` with ``detail``) shows it."""
    record = record_from_document(row.document)
    presented: dict[str, Any] = {
        "id": row.id,
        "program": program(record.program_code, locale),
        "case_number": mask_case_number(record.case_number),
        "status_label": status_label(record.status, locale),
        "status_reason": status_reason(record.status_reason, locale) or status_explanation(record.status, locale),
        "certification_period": {"start_on": record.certification_start, "end_on": record.certification_end}
        if record.certification_start or record.certification_end
        else None,
        "actions": [action(a, sent) for a in actions],
        "as_of": as_of,
    }
    if detail:
        presented["notices"] = [
            {"id": n.key, "title": n.title, "posted_on": n.posted_on}
            for n in sorted(record.notices, key=lambda n: n.posted_on, reverse=True)
        ]
        presented["payments"] = [
            {"id": p.key, "cents": p.cents, "currency": p.currency, "paid_on": p.paid_on}
            for p in sorted(record.payments, key=lambda p: p.paid_on, reverse=True)
        ]
        presented["history"] = [
            {"status": h.status, "on": h.on, "reason": status_reason(h.reason, locale)} for h in record.history
        ]
    names = DETAIL_FIELDS if detail else LIST_FIELDS
    return {name: presented[name] if name in presented else _as_stored(getattr(record, name)) for name in names}


def _as_stored(value: Any) -> Any:
    return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value


def action(row: BenefitAction, sent: Mapping[str, list[DocumentUpload]] | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "state": row.state,
        "due_on": row.due_on,
        "scheduled_at": row.scheduled_at,
        "documents": [sent_document(upload) for upload in (sent or {}).get(row.id, [])],
    }


def sent_document(upload: DocumentUpload) -> dict[str, Any]:
    return {
        "id": upload.id,
        "filename": upload.filename,
        "status": upload.status,
        "receipt_number": upload.receipt_number,
        "tracking_number": upload.tracking_number,
        "submitted_at": upload.submitted_at,
    }


def open_action(
    row: BenefitAction, locale: str, sent: Mapping[str, list[DocumentUpload]] | None = None
) -> dict[str, Any]:
    return {
        **action(row, sent),
        "benefit_id": row.benefit_id,
        "agency": row.agency,
        "program": program(row.program_code, locale),
    }


def meta(
    sources: list[SourceState],
    locale: str,
    *,
    verified: bool,
    next_after: dict | None = None,
    maintenance: Mapping[str, Window] | None = None,
) -> dict[str, Any]:
    now, windows = clock.now(), maintenance or {}
    return page_meta(
        next_after,
        sources=[
            {
                "agency": s.agency,
                "status": s.status,
                "as_of": s.as_of,
                "maintenance": window(windows.get(s.agency), now, locale),
            }
            for s in sources
        ],
        locale=locale,
        identity_verification_required=not verified,
        message=None if verified else texts().text(locale, "identity", "verify_to_see_benefits"),
    )


def window(found: Window | None, now, locale: str) -> dict[str, Any] | None:
    """A source's ``maintenance`` as ``MaintenanceSchema`` shows it (both reads, the stored one at serve time)."""
    if found is None:
        return None
    message = maintenance_message(found.agency, found.starts_at, found.ends_at, now, locale, STATE_ZONE)
    return {"starts_at": found.starts_at, "ends_at": found.ends_at, "message": message}
