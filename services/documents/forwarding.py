"""Forwarding uploads to the platform's document intake, in the background, until it has them; and asking it for
the agency's decision.

- ``documents.forward`` (queued by the upload route right after its commit) sends one upload by reference: the
  job reads the encrypted file from the store, so a queue message never carries a file.
- ``documents.sweep`` (every ``SWEEP_SECONDS``) forwards every upload still unforwarded whose backoff has passed
  (the upload route's job was never queued, the broker lost it, the platform was down) and asks the intake about
  received uploads not asked for ``DOCUMENT_CHECK_SECONDS`` (60 s; raise it for a state's worth of uploads). Decision: the hub polls, because the platform's
  change events describe agency records, not uploads, and a poll of a handful of undecided uploads is cheap.
- A platform outage delays an upload, never loses it: each failed attempt backs off (30 s doubling to an hour)
  and the sweep tries again for as long as it takes; the upload stays ``submitted`` with its receipt meanwhile.
- The intake is idempotent by the upload's id, so a worker killed after sending and before recording the answer
  sends it again on the next attempt and the agency still holds it once, with the same tracking number.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from services import clock
from services.background import job
from services.documents.decisions import apply_answer
from services.models.documents import RECEIVED, DocumentUpload
from services.platform.records import SourceError

if TYPE_CHECKING:
    from services.hub import Hub

SWEEP_SECONDS = 30
SWEEP_BATCH = 50
MAX_BACKOFF = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def forward_upload(hub: Hub, upload_id: str) -> str:
    """Send one upload unless the intake has it already → ``forwarded``, ``already``, ``failed`` or ``missing``."""
    with hub.session() as session:
        upload = session.get(DocumentUpload, upload_id)
        if upload is None:
            return "missing"
        if upload.forwarded_at is not None:
            return "already"
        fields = {
            "upload_id": upload.id,
            "record_id": upload.record_id,
            "action_key": upload.action_source_key,
            "receipt_number": upload.receipt_number,
        }
        agency, filename, content_type, key = upload.agency, upload.filename, upload.content_type, upload.storage_key
        session.rollback()  # no transaction held open while the file travels
        try:
            content = hub.document_store.get(key)
            answer = hub.platform.forward_document(agency, fields, filename, content_type, content)
        except SourceError as error:
            upload = session.get(DocumentUpload, upload_id)
            if upload.forwarded_at is None:
                upload.forward_attempts += 1
                upload.forward_error = str(error.kind)[:120]
                upload.forward_after = clock.now() + backoff(upload.forward_attempts)
                session.commit()
            return "failed"
        upload = session.get(DocumentUpload, upload_id)
        upload.forward_attempts += 1
        apply_answer(session, upload, answer)
        upload.checked_at = clock.now()
        session.commit()
        return "forwarded"


def check_decision(hub: Hub, upload_id: str) -> bool:
    """Ask the intake about one received upload; True when its status changed."""
    with hub.session() as session:
        upload = session.get(DocumentUpload, upload_id)
        if upload is None or upload.status != RECEIVED:
            return False
        agency = upload.agency
        session.rollback()
        try:
            answer = hub.platform.document_status(agency, upload_id)
        except SourceError:
            return False
        upload = session.get(DocumentUpload, upload_id)
        changed = apply_answer(session, upload, answer)
        upload.checked_at = clock.now()
        session.commit()
        return changed


def sweep(hub: Hub, *, check_all: bool = False) -> dict[str, int]:
    """Forward what is due and ask about decisions that may have been taken (``check_all``: every received one)."""
    now = clock.now()
    with hub.session() as session:
        due = list(
            session.scalars(
                select(DocumentUpload.id)
                .where(
                    DocumentUpload.forwarded_at.is_(None),
                    or_(DocumentUpload.forward_after.is_(None), DocumentUpload.forward_after <= now),
                )
                .order_by(DocumentUpload.submitted_at)
                .limit(SWEEP_BATCH)
            )
        )
        undecided = select(DocumentUpload.id).where(DocumentUpload.status == RECEIVED)
        if not check_all:
            stale = now - dt.timedelta(seconds=hub.settings.document_check_seconds)
            undecided = undecided.where(or_(DocumentUpload.checked_at.is_(None), DocumentUpload.checked_at <= stale))
        to_check = list(session.scalars(undecided.order_by(DocumentUpload.checked_at).limit(SWEEP_BATCH)))
    forwarded = sum(forward_upload(hub, upload_id) == "forwarded" for upload_id in due)
    decided = sum(check_decision(hub, upload_id) for upload_id in to_check)
    return {"forwarded": forwarded, "decided": decided}


@job("documents.forward")
def forward_document_job(hub: Hub, *, upload_id: str) -> str:
    """Forward one upload to the platform's intake (queued by the upload route)."""
    return forward_upload(hub, upload_id)


@job("documents.sweep", every_seconds=SWEEP_SECONDS)
def sweep_documents_job(hub: Hub) -> dict[str, int]:
    """Forward unforwarded uploads whose backoff has passed; ask about decisions."""
    return sweep(hub)
