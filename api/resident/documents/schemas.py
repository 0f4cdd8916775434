"""Bodies of the document routes: an upload's receipt and status; never the file's bytes or where they are kept."""

import marshmallow as ma

from services.models.documents import DOCUMENT_STATUSES

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "One PDF, JPEG or PNG (judged by its content), at most 10 MB.",
                    }
                },
            }
        }
    },
}
FILE_RESPONSE = {
    "description": "The file as stored (photos without their metadata), as bytes: its type (application/pdf, "
    "image/jpeg or image/png) is the document's content_type, and Content-Disposition names it",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


class DocumentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    action_id = ma.fields.String(required=True)
    benefit_id = ma.fields.String(required=True)
    agency = ma.fields.String(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True, metadata={"description": "Bytes, as stored"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(DOCUMENT_STATUSES))
    status_reason = ma.fields.String(
        allow_none=True, metadata={"description": "Why the agency could not use it, in the resident's language"}
    )
    receipt_number = ma.fields.String(
        required=True, metadata={"description": "The hub's receipt, from the moment it was sent"}
    )
    tracking_number = ma.fields.String(allow_none=True, metadata={"description": "The agency's, once it acknowledged"})
    submitted_at = ma.fields.AwareDateTime(required=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
