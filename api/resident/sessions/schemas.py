"""Bodies of ``/v1/me/sessions``."""

from __future__ import annotations

import marshmallow as ma


class SessionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    client_id = ma.fields.String(required=True)
    device_label = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    last_seen_at = ma.fields.DateTime(required=True)
    current = ma.fields.Boolean(required=True, metadata={"description": "the session making this request"})
