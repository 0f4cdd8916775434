"""What a stored benefit looks like to a resident: localised names and reasons, masked case number."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import request

from api.pages import page_meta
from services.benefits.freshness import SourceState
from services.models.benefits import Benefit, BenefitAction
from services.platform.records import record_from_document
from services.texts.catalogue import texts
from services.texts.words import program_name, status_explanation, status_label, status_reason

MASK = "•••••"


def read_locale(resident_locale: str | None) -> str:
    """``Accept-Language`` when it names a language the hub speaks, else the resident's own, else English."""
    return texts().best_for(request.accept_languages) or texts().language_for(resident_locale)


def mask_case_number(case_number: str) -> str:
    return MASK + case_number[-4:]


def program(code: str, locale: str) -> dict[str, str]:
    return {"code": code, "name": program_name(code, locale)}


def benefit(row: Benefit, actions: list[BenefitAction], as_of, locale: str, *, detail: bool = False) -> dict[str, Any]:
    record = record_from_document(row.document)
    body: dict[str, Any] = {
        "id": row.id,
        "agency": row.agency,
        "program": program(row.program_code, locale),
        "case_number": mask_case_number(row.case_number),
        "status": row.status,
        "status_label": status_label(row.status, locale),
        "status_reason": status_reason(record.status_reason, locale) or status_explanation(row.status, locale),
        "status_since": record.status_since,
        "amount": dataclasses.asdict(record.amount) if record.amount else None,
        "next_payment_on": record.next_payment_on,
        "certification_period": {"start_on": record.certification_start, "end_on": record.certification_end}
        if record.certification_start or record.certification_end
        else None,
        "renewal_due_on": record.renewal_due_on,
        "plan": record.plan,
        "actions": [action(a) for a in actions],
        "as_of": as_of,
    }
    if detail:
        body["notices"] = [
            {"id": n.key, "title": n.title, "posted_on": n.posted_on}
            for n in sorted(record.notices, key=lambda n: n.posted_on, reverse=True)
        ]
        body["payments"] = [
            {"id": p.key, "cents": p.cents, "currency": p.currency, "paid_on": p.paid_on}
            for p in sorted(record.payments, key=lambda p: p.paid_on, reverse=True)
        ]
        body["history"] = [
            {"status": h.status, "on": h.on, "reason": status_reason(h.reason, locale)} for h in record.history
        ]
    return body


def action(row: BenefitAction) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "state": row.state,
        "due_on": row.due_on,
        "scheduled_at": row.scheduled_at,
    }


def open_action(row: BenefitAction, locale: str) -> dict[str, Any]:
    return {
        **action(row),
        "benefit_id": row.benefit_id,
        "agency": row.agency,
        "program": program(row.program_code, locale),
    }


def meta(sources: list[SourceState], locale: str, *, verified: bool, next_after: dict | None = None) -> dict[str, Any]:
    return page_meta(
        next_after,
        sources=[{"agency": s.agency, "status": s.status, "as_of": s.as_of} for s in sources],
        locale=locale,
        identity_verification_required=not verified,
        message=None if verified else texts().text(locale, "identity", "verify_to_see_benefits"),
    )
