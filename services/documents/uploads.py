"""A resident's uploads: taking a file for one of their document actions (with a receipt at once), and reading
their own uploads back.

Decisions:

- Only a ``document`` action of the resident's own, at an agency they share, that is still ``open`` or
  ``overdue`` takes files (another resident's action is the same 404 as none; a done or cancelled one is a 409:
  the agency no longer asks). At most ``DOCUMENTS_PER_ACTION`` (5) uploads per action that were not rejected: a
  rejected file does not use up a place, so the resident can always send a better one.
- The file is checked and cleaned first (``content.py``), then written encrypted to the store, then its row is
  added to the caller's session: nothing is stored for a refused file, and a file whose row never commits is
  an orphan blob under a random key that nothing names (never a row without its file).
- The receipt number (``BH-XXXX-XXXX``, no look-alike characters) is the hub's proof the resident sent it, from
  the moment they did; the agency's tracking number comes when its intake acknowledges (``forwarding.py``).
- The file name shown back is the resident's, reduced to a safe base name; the type is the content's.
- A representative sends files for the person's document actions at their designation's agencies under the same
  rules; the row is the person's (their action, their receipt) and names who sent it (``uploaded_by``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.benefits.open_actions import open_action
from services.documents.content import FileRefused, check_file
from services.documents.storage import DocumentStore
from services.errors import Conflict, InvalidInput, NotFound
from services.models.benefits import BenefitAction
from services.models.documents import REJECTED, DocumentUpload
from services.models.identity import ResidentLink
from services.pagination import Page, keyset_page

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read aloud on the phone to an agency
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def receipt_number() -> str:
    chars = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(8))
    return f"BH-{chars[:4]}-{chars[4:]}"


def safe_filename(name: str | None, content_type: str) -> str:
    """The base name the resident gave, without path, control characters or odd spacing, at most 100 characters,
    ending in the extension of its real type; ``document.pdf`` (etc.) when nothing is left."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] not in "CZ" or ch == " "
    )
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return (stem[:96] or "document") + EXTENSIONS[content_type]


def document_action(
    session: Session, resident_id: str, action_id: str, within: frozenset[str] | None = None
) -> BenefitAction:
    """The resident's own document action at a shared agency (``within`` a representative's agencies), ready for
    files, or the problem to answer."""
    return open_action(
        session,
        resident_id,
        action_id,
        kind="document",
        wrong_kind="This action does not take documents.",
        why="A {kind} action does not take documents; only document actions do.",
        closed="The agency no longer asks for this document (the action is {state}).",
        within=within,
    )


def submit_upload(
    session: Session,
    store: DocumentStore,
    *,
    resident_id: str,
    action_id: str,
    filename: str | None,
    content: bytes,
    per_action: int,
    within: frozenset[str] | None = None,
    uploaded_by: str | None = None,
) -> DocumentUpload:
    """Check, store (encrypted) and record one file for the action; the caller commits and queues forwarding.
    A representative sends it for the resident (``uploaded_by``) for an action ``within`` their agencies."""
    action = document_action(session, resident_id, action_id, within)
    sent = session.scalar(
        select(func.count())
        .select_from(DocumentUpload)
        .where(DocumentUpload.action_id == action.id, DocumentUpload.status != REJECTED)
    )
    if sent >= per_action:
        raise Conflict(
            f"{per_action} files were already sent for this action; wait for the agency's answer before sending more.",
            errors={"file": [f"At most {per_action} files per action."]},
        )
    try:
        checked = check_file(content)
    except FileRefused as refused:
        raise InvalidInput(str(refused), errors={"file": [str(refused)]}) from None
    link = session.scalar(
        select(ResidentLink).where(ResidentLink.resident_id == resident_id, ResidentLink.agency == action.agency)
    )
    if link is None:  # the action came from a link since removed: nowhere to send it
        raise NotFound("No such action for this resident.")
    storage_key = secrets.token_hex(16)
    store.put(storage_key, checked.content)
    now = clock.now()
    upload = DocumentUpload(
        resident_id=resident_id,
        action_id=action.id,
        benefit_id=action.benefit_id,
        agency=action.agency,
        program_code=action.program_code,
        record_id=link.record_id,
        action_source_key=action.source_key,
        action_title=action.title,
        filename=safe_filename(filename, checked.content_type),
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        storage_key=storage_key,
        receipt_number=receipt_number(),
        submitted_at=now,
        forward_after=now,
        updated_at=now,
        uploaded_by=uploaded_by,
    )
    session.add(upload)
    session.flush()
    return upload


def own_upload(session: Session, resident_id: str, upload_id: str) -> DocumentUpload:
    upload = session.get(DocumentUpload, upload_id)
    if upload is None or upload.resident_id != resident_id:
        raise NotFound("No such document for this resident.")
    return upload


def uploads_page(session: Session, resident_id: str, *, limit: int, after: dict | None) -> Page:
    """The resident's uploads, newest first."""
    stmt = select(DocumentUpload).where(DocumentUpload.resident_id == resident_id)
    return keyset_page(session, stmt, key=[DocumentUpload.submitted_at, DocumentUpload.id], limit=limit, after=after)


def uploads_by_action(session: Session, resident_id: str) -> dict[str, list[DocumentUpload]]:
    """What the resident sent for each of their actions, oldest first (an action shows it): one statement
    whatever the number of actions (a few files per action, so a resident has a handful)."""
    found: dict[str, list[DocumentUpload]] = {}
    rows = session.scalars(
        select(DocumentUpload)
        .where(DocumentUpload.resident_id == resident_id)
        .order_by(DocumentUpload.submitted_at, DocumentUpload.id)
    )
    for row in rows:
        found.setdefault(row.action_id, []).append(row)
    return found
