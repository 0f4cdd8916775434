"""The agency's side of an upload: its acknowledgement (``received``, with its tracking number) and its decision
(``accepted`` or ``rejected`` with a reason code), each written with an outbox event in the same transaction, so
the resident is told once per change in their language (``notifications/rules.py``: ``document.status_changed``).

Statuses only move forward (``submitted`` → ``received`` → ``accepted`` | ``rejected``); an answer that would move
one back (an old status read late) changes nothing. Reason codes the hub does not know become ``other``, which
the catalogue words as "the agency could not use it; call them" (``services/texts/<locale>/document_reasons.json``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services import clock, outbox
from services.models.documents import ACCEPTED, RECEIVED, REJECTED, SUBMITTED, DocumentUpload

ORDER = {SUBMITTED: 0, RECEIVED: 1, ACCEPTED: 2, REJECTED: 2}
REASON_CODES = frozenset({"unreadable", "wrong_document", "expired", "incomplete", "other"})


def reason_code(code: object) -> str:
    return code if isinstance(code, str) and code in REASON_CODES else "other"


def apply_answer(session: Session, upload: DocumentUpload, answer: dict) -> bool:
    """Apply an intake answer (``tracking_number``, ``status``, ``reason``); True when something changed."""
    changed = False
    now = clock.now()
    if upload.tracking_number is None and isinstance(answer.get("tracking_number"), str):
        upload.tracking_number = answer["tracking_number"][:48]
    if upload.forwarded_at is None:
        upload.forwarded_at = now
        upload.forward_error = None
    status = answer.get("status")
    if status not in ORDER or status == SUBMITTED:
        status = RECEIVED
    if ORDER[upload.status] < ORDER[RECEIVED]:
        _move(session, upload, RECEIVED, None, now)
        changed = True
    if status in (ACCEPTED, REJECTED) and upload.status == RECEIVED:
        _move(session, upload, status, reason_code(answer.get("reason")) if status == REJECTED else None, now)
        changed = True
    return changed


def _move(session: Session, upload: DocumentUpload, status: str, reason: str | None, now) -> None:
    upload.status, upload.status_reason, upload.updated_at = status, reason, now
    if status == RECEIVED:
        upload.received_at = now
    else:
        upload.decided_at = now
    payload = {
        "benefit_id": upload.benefit_id,
        "agency": upload.agency,
        "program_code": upload.program_code,
        "document_id": upload.id,
        "action_id": upload.action_id,
        "title": upload.action_title,
        "status": status,
        "document_reason": reason,
        "tracking_number": upload.tracking_number,
        "receipt_number": upload.receipt_number,
    }
    event = outbox.DomainEvent(
        outbox.DOCUMENT_STATUS_CHANGED, payload, f"{outbox.DOCUMENT_STATUS_CHANGED}:{upload.id}:{status}"
    )
    outbox.write_events(session, upload.resident_id, [event])
