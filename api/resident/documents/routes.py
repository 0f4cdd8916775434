"""``POST /v1/me/actions/{id}/documents`` (send a file for a document action, a receipt at once) and
``GET /v1/me/documents``, ``/v1/me/documents/{id}``, ``/v1/me/documents/{id}/file``: the resident's own only.

The body is read with this route's own limit (10 MB and a little for the multipart envelope) instead of the
app's 1 MB, checked as it streams: a body announcing more is a 413 before a byte is read, a chunked body is cut
off at the limit, and one that ends early stores nothing (the file is checked and stored only once it is whole).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.auth.principal import current_principal
from api.body_rules import UnsupportedMediaType
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint, stacked
from api.resident.benefits.presenters import read_locale
from api.resident.documents.schemas import FILE_RESPONSE, UPLOAD_BODY, DocumentSchema
from services.documents import uploads
from services.documents.content import MAX_BYTES
from services.documents.forwarding import forward_document_job
from services.errors import DomainError, InvalidInput
from services.models.documents import DocumentUpload
from services.models.identity import Resident
from services.texts.words import document_reason

blp = Blueprint("documents", __name__, url_prefix="/v1/me", description="Documents sent for the agencies' requests")

BODY_LIMIT = MAX_BYTES + 64 * 1024
TOO_LARGE = "The file is larger than 10 MB."


class PayloadTooLarge(DomainError):
    status = 413
    title = "Payload too large"
    slug = "payload-too-large"


def upload_body(view):
    """Raise this route's body limit before anything reads the body (the idempotency fingerprint does), and name
    the ``file`` field when it is exceeded."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        request.max_content_length = BODY_LIMIT
        try:
            return view(*args, **kwargs)
        except RequestEntityTooLarge:
            raise PayloadTooLarge(TOO_LARGE, errors={"file": [TOO_LARGE]}) from None

    return wrapper


def presented(upload, locale: str | None = None) -> dict:
    reason = document_reason(upload.status_reason, locale) if upload.status_reason else None
    return {**{column: getattr(upload, column) for column in DocumentSchema().fields}, "status_reason": reason}


def _file_part():
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the file as multipart/form-data with a part named file.")
    parts = request.files.getlist("file")
    if not parts:
        raise InvalidInput("A file is required.", errors={"file": ["Send the file in a part named file."]})
    if len(parts) > 1:
        raise InvalidInput("One file per request.", errors={"file": ["Send one file per request."]})
    return parts[0]


def documented_upload(on: Blueprint, not_found: str) -> Callable[[Callable], Callable]:
    """An upload route's body limit, ``Idempotency-Key``, multipart body and answers, for any blueprint ``on``."""
    return stacked(
        upload_body,
        on.idempotent(),
        on.doc(requestBody=UPLOAD_BODY),
        on.response(201, DocumentSchema),
        on.alt_response(404, description=not_found),
        on.alt_response(409, description="The action no longer takes files, or already has the most it takes"),
        on.alt_response(413, description="The file is larger than 10 MB"),
        on.alt_response(415, description="The body is not multipart/form-data"),
        on.alt_response(
            422,
            description="No file, an empty, damaged or encrypted file, a type other than PDF, JPEG or PNG, "
            "or not a document action",
        ),
    )


@blp.route("/actions/<action_id>/documents", methods=["POST"])
@blp.resident()
@documented_upload(blp, "No such action of this resident")
def upload_document(action_id: str):
    """Send one file for a document action: it is checked (type by content, size), photos lose their location
    and other metadata, and it is stored encrypted with a receipt number at once; the hub forwards it to the
    agency in the background (``status`` becomes ``received`` with the agency's ``tracking_number``)."""
    return receive_upload(current_principal().resident_id, action_id)


def receive_upload(
    resident_id: str,
    action_id: str,
    *,
    within: frozenset[str] | None = None,
    uploaded_by: str | None = None,
    recorded: Callable[[DocumentUpload], None] | None = None,
):
    """The upload routes' one body (the resident's own, and a representative's for them: ``within`` their
    agencies, ``uploaded_by`` them, ``recorded`` in the person's access log in the same transaction)."""
    part = _file_part()
    content = part.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise PayloadTooLarge(TOO_LARGE, errors={"file": [TOO_LARGE]})
    hub = current_hub()
    session = db()
    upload = uploads.submit_upload(
        session,
        hub.document_store,
        resident_id=resident_id,
        action_id=action_id,
        filename=part.filename,
        content=content,
        per_action=hub.settings.documents_per_action,
        within=within,
        uploaded_by=uploaded_by,
    )
    if recorded is not None:
        recorded(upload)
    session.commit()
    hub.runner.submit(forward_document_job, upload_id=upload.id)  # if not queued, the sweep forwards it
    return presented(upload), 201


@blp.route("/documents", methods=["GET"])
@blp.resident()
@blp.paginated(DocumentSchema)
def list_documents(args: dict):
    """The resident's uploads, newest first, with their receipts and the agency's answers."""
    page = uploads.uploads_page(db(), current_principal().resident_id, limit=args["limit"], after=args["after"])
    locale = _locale()
    page.items = [presented(upload, locale) for upload in page.items]
    return page


@blp.route("/documents/<document_id>", methods=["GET"])
@blp.resident()
@blp.response(200, DocumentSchema)
@blp.alt_response(404, description="No such document of this resident")
def get_document(document_id: str):
    """One upload: its receipt, the agency's tracking number and decision."""
    return presented(uploads.own_upload(db(), current_principal().resident_id, document_id), _locale())


@blp.route("/documents/<document_id>/file", methods=["GET"])
@blp.resident()
@blp.doc(responses={"200": FILE_RESPONSE})
@blp.alt_response(404, description="No such document of this resident")
def download_document(document_id: str):
    """The file as the hub keeps it (a photo without its metadata), for the resident who sent it."""
    upload = uploads.own_upload(db(), current_principal().resident_id, document_id)
    content = current_hub().document_store.get(upload.storage_key)
    return Response(
        content,
        mimetype="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{_ascii(upload.filename)}"'},
    )


def _ascii(name: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)


def _locale() -> str:
    """``Accept-Language`` when the hub speaks it, else the resident's own language (as the benefit reads)."""
    resident = db().get(Resident, current_principal().resident_id)
    return read_locale(resident.locale if resident else None)
