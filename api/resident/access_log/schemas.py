"""Bodies of ``GET /v1/me/access-log``: who looked, in the resident's words."""

from __future__ import annotations

import marshmallow as ma


class AccessorSchema(ma.Schema):
    kind = ma.fields.String(
        metadata={
            "description": "staff, app, representative (the resident's authorized representative), or resident "
            "(another account in the app)"
        }
    )
    name = ma.fields.String(
        allow_none=True,
        metadata={"description": "Staff and representatives: given name only; apps: the app"},
    )
    role = ma.fields.String(allow_none=True, metadata={"description": "In words, e.g. 'A support agent'"})


class AccessEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.AwareDateTime()
    who = ma.fields.Nested(AccessorSchema)
    action = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    break_glass = ma.fields.Boolean()
    description = ma.fields.String(metadata={"description": "The whole entry as one plain-language sentence"})
