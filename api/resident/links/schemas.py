"""Bodies of ``POST /v1/me/links``; ``LinkSchema`` is also how the profile and support show a link."""

from __future__ import annotations

import marshmallow as ma

from api.fields import Text
from services.vocabulary import AGENCIES


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
