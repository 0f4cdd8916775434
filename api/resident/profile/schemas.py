"""The body of ``GET /v1/me``."""

from __future__ import annotations

import marshmallow as ma

from api.resident.links.schemas import LinkSchema


class IdentityVerificationSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "verified | needed"})
    message = ma.fields.String(required=True, metadata={"description": "plain language, in the resident's locale"})
    next_step = ma.fields.String(allow_none=True, metadata={"description": "what to do; null when nothing"})


class RecordSearchSchema(ma.Schema):
    status = ma.fields.String(
        required=True, metadata={"description": "found | none_found | retrying | not_started | not_applicable"}
    )
    searched_at = ma.fields.DateTime(allow_none=True)


class MeSchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    locale = ma.fields.String(required=True)
    time_zone = ma.fields.String(required=True)
    identity_verified = ma.fields.Boolean(required=True)
    identity_verification = ma.fields.Nested(IdentityVerificationSchema, required=True)
    links = ma.fields.List(ma.fields.Nested(LinkSchema), required=True)
    record_search = ma.fields.Nested(RecordSearchSchema, required=True)
