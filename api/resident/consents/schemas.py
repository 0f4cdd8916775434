"""Bodies of ``/v1/me/consents``."""

from __future__ import annotations

import marshmallow as ma

from api.extension import JsonBoolean


class ConsentSchema(ma.Schema):
    agency = ma.fields.String(required=True)
    granted = ma.fields.Boolean(required=True)
    linked = ma.fields.Boolean(required=True, metadata={"description": "the resident has records at this agency"})
    updated_at = ma.fields.DateTime(allow_none=True, metadata={"description": "null: the default (granted)"})


class ConsentUpdateSchema(ma.Schema):
    granted = JsonBoolean(required=True)  # JSON true/false only
