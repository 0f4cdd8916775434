"""A source's first picture as plain rows for multi-row inserts (bulk reconciliation's baselines, load seeding).

The rows are what ``store.apply_snapshot`` would write for a baseline (no stored rows, no events), built without
the ORM so thousands go in with one ``INSERT`` per table. Writers of these rows bypass the ORM, so they call
``documents.note_changed`` for the residents themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.db import new_id
from services.models.benefits import NO_DUE_DATE
from services.platform.records import BenefitRecord


def snapshot_rows(
    resident_id: str,
    agency: str,
    records: list[BenefitRecord],
    now: dt.datetime,
    documents: list[dict[str, Any]] | None = None,
) -> tuple[list[dict], list[dict]]:
    """(``benefits`` rows, ``benefit_actions`` rows) for ``records`` as the resident's picture at ``agency``;
    ``documents``, when given, are the records' ``document()`` already built (for their content hash)."""
    benefits, actions = [], []
    if documents is None:
        documents = [record.document() for record in records]
    for record, document in zip(records, documents, strict=True):
        benefit_id = new_id()
        benefits.append(
            {
                "id": benefit_id,
                "resident_id": resident_id,
                "agency": agency,
                "source_key": record.key,
                "program_code": record.program_code,
                "case_number": record.case_number,
                "status": record.status,
                "renewal_due_on": record.renewal_due_on,
                "next_payment_on": record.next_payment_on,
                "document": document,
                "created_at": now,
                "updated_at": now,
            }
        )
        actions.extend(
            {
                "id": new_id(),
                "benefit_id": benefit_id,
                "resident_id": resident_id,
                "agency": agency,
                "program_code": record.program_code,
                "source_key": action.key,
                "kind": action.kind,
                "title": action.title[:200],
                "state": action.state,
                "due_on": action.due_on,
                "scheduled_at": action.scheduled_at,
                "sort_on": action.due_on or NO_DUE_DATE,
                "updated_at": now,
            }
            for action in record.actions
        )
    return benefits, actions
