"""Support staff and a resident's uploads: the metadata and receipts (what was sent, when, where it stands, how
forwarding went), to answer "I sent it and my case closed anyway" with facts; never the file itself, except by
break-glass (a supervisor, ``X-Break-Glass: true`` and a reason), which is audited and flagged for review.

Decision: opening a file is always a break-glass act, whatever the resident shares: a pay stub or a lease shows
far more than the hub's records do, and support's questions are answered by the receipt and the agency's
tracking number.
"""

from __future__ import annotations

from flask import Response

from api.admin.schemas import StaffDocumentSchema
from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import BREAK_GLASS, READ_RESIDENTS
from api.current_hub import current_hub
from api.database import db
from api.resident.documents.schemas import FILE_RESPONSE
from services import support
from services.documents import uploads
from services.errors import Forbidden

blp = AdminBlueprint(
    "admin-documents", __name__, url_prefix="/v1/admin", description="Support staff: a resident's uploads"
)


@blp.route("/residents/<resident_id>/documents")
@blp.staff_access(READ_RESIDENTS, "resident.documents.read", fields=("documents",))
@blp.paginated(StaffDocumentSchema)
def resident_documents(args, resident_id: str, access: StaffAccess):
    """The resident's uploads, newest first: file name, type, size, receipt, the agency's tracking number and
    decision, and forwarding attempts; never the content."""
    session = db()
    support.resident_or_404(session, resident_id)
    return uploads.uploads_page(session, resident_id, limit=args["limit"], after=args["after"])


@blp.route("/residents/<resident_id>/documents/<document_id>/file")
@blp.staff_access(BREAK_GLASS, "resident.document.file", fields=("document_file",), break_glass=True)
@blp.doc(responses={"200": FILE_RESPONSE})
@blp.alt_response(404, description="No such document of this resident")
def resident_document_file(resident_id: str, document_id: str, access: StaffAccess):
    """The file itself: only by break-glass (``X-Break-Glass: true``), audited and flagged for review."""
    if not access.break_glass:
        raise Forbidden("Opening a resident's file is break-glass: send X-Break-Glass: true with your reason.")
    upload = uploads.own_upload(db(), resident_id, document_id)
    access.fields = ["document_file", f"document:{upload.id}"]
    content = current_hub().document_store.get(upload.storage_key)
    return Response(content, mimetype="application/octet-stream", headers={"Content-Disposition": "attachment"})
