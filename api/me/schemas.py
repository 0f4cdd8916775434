"""Bodies of ``/v1/me``, ``/v1/me/sessions``, ``/v1/me/consents`` and ``/v1/me/links``."""

from __future__ import annotations

import marshmallow as ma

from api.extension import JsonBoolean
from api.fields import Text
from services.vocabulary import AGENCIES


class IdentityVerificationSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "verified | needed"})
    message = ma.fields.String(required=True, metadata={"description": "plain language, in the resident's locale"})
    next_step = ma.fields.String(allow_none=True, metadata={"description": "what to do; null when nothing"})


class LinkSchema(ma.Schema):
    id = ma.fields.String(required=True)
    agency = ma.fields.String(required=True)
    method = ma.fields.String(required=True, metadata={"description": "mpi | letter_code"})
    proof = ma.fields.String(
        metadata={
            "description": "what showed the case is the resident's: identity (the person index matched "
            "the verified identity) | birthdate (the agency confirmed the resident's date of birth)"
        }
    )
    linked_at = ma.fields.DateTime(required=True)
    shared = ma.fields.Boolean(required=True, metadata={"description": "false when the resident revoked consent"})


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


class SessionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    client_id = ma.fields.String(required=True)
    device_label = ma.fields.String(allow_none=True)
    user_agent = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    last_seen_at = ma.fields.DateTime(required=True)
    current = ma.fields.Boolean(required=True, metadata={"description": "the session making this request"})


class ConsentSchema(ma.Schema):
    agency = ma.fields.String(required=True)
    granted = ma.fields.Boolean(required=True)
    linked = ma.fields.Boolean(required=True, metadata={"description": "the resident has records at this agency"})
    updated_at = ma.fields.DateTime(allow_none=True, metadata={"description": "null: the default (granted)"})


class ConsentUpdateSchema(ma.Schema):
    granted = JsonBoolean(required=True)  # JSON true/false only


class LinkRequestSchema(ma.Schema):
    agency = Text(required=True, validate=ma.validate.OneOf(AGENCIES))
    case_number = Text(required=True, validate=ma.validate.Regexp(r"^[A-Za-z0-9-]{4,32}$", error="Not a case number."))
    letter_code = Text(
        required=True,
        validate=ma.validate.Regexp(r"^\s*[A-Za-z]{4}-?\s*[0-9]{4}\s*$", error="Letter codes look like ABCD-1234."),
        metadata={"description": "the code printed on the agency's letter, e.g. ABCD-1234"},
    )
    birthdate = ma.fields.Date(
        metadata={
            "description": "YYYY-MM-DD: your own date of birth, as verified at sign-in, when the person index "
            "cannot match your identity to the case (the agency checks it against the case's person)"
        },
    )
