"""Request and response bodies of the partner API."""

from __future__ import annotations

import marshmallow as ma

from api.fields import JsonDocument, Text
from api.pages import PageArgs
from services.partner.messages import CATEGORIES, MAX_BODY, MAX_LOCALES, MAX_TITLE
from services.partner.notifications import STATUSES

_LOCALE_KEY = Text(validate=ma.validate.Length(min=2, max=12))


def _texts(limit: int, example: dict) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=_LOCALE_KEY,
        values=Text(validate=ma.validate.Length(min=1, max=limit * 2)),
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_LOCALES),
        metadata={
            "description": f"By language tag; 'en' required; at most {limit} characters each once filled in",
            "example": example,
        },
    )


class NotificationRequestSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    case_number = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=32),
        metadata={"description": "A case of your own agency", "example": "204815367"},
    )
    category = Text(
        required=True,
        validate=ma.validate.OneOf(CATEGORIES),
        metadata={"description": "Residents can switch each category off", "example": "documents"},
    )
    title = _texts(MAX_TITLE, {"en": "We received your document", "es": "Recibimos tu documento"})
    body = _texts(
        MAX_BODY,
        {
            "en": "Hi {first_name}, we received your proof of income on {received_on}.",
            "es": "Hola {first_name}, recibimos tu comprobante de ingresos el {received_on}.",
        },
    )
    personalisation = ma.fields.Dict(
        keys=Text(validate=ma.validate.Length(min=1, max=64)),
        values=JsonDocument(),
        load_default=None,
        metadata={
            "description": "Values for {placeholders} (strings or numbers)",
            "example": {"first_name": "Maria", "received_on": "March 3"},
        },
    )
    reference = Text(
        load_default=None,
        validate=ma.validate.Length(min=1, max=128),
        metadata={"description": "Your own reference, to find it again", "example": "snap-docs-2026-03-0042"},
    )


class PushCountsSchema(ma.Schema):
    sent = ma.fields.Integer(required=True)
    failed = ma.fields.Integer(required=True)
    pending = ma.fields.Integer(required=True)
    cancelled = ma.fields.Integer(
        required=True, metadata={"description": "Not sent by the resident's settings of the moment, or device gone"}
    )


class NotificationAcceptedSchema(ma.Schema):
    id = ma.fields.String(required=True)
    status = ma.fields.String(required=True, metadata={"example": "accepted"})
    reference = ma.fields.String(allow_none=True)


class NotificationStatusSchema(ma.Schema):
    id = ma.fields.String(required=True)
    reference = ma.fields.String(allow_none=True)
    category = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(STATUSES),
        metadata={
            "description": "accepted; delivered (in the resident's inbox); withheld (the resident does not share "
            "your agency); no_recipient; failed"
        },
    )
    pushes = ma.fields.Nested(PushCountsSchema, required=True)
    created_at = ma.fields.AwareDateTime(required=True)
    status_changed_at = ma.fields.AwareDateTime(required=True)
    delivered_at = ma.fields.AwareDateTime(allow_none=True)


class NotificationListArgs(PageArgs):
    reference = Text(load_default=None, validate=ma.validate.Length(min=1, max=128))
    since = ma.fields.AwareDateTime(load_default=None, metadata={"description": "Accepted at or after (ISO 8601)"})


class PartnerEventAckSchema(ma.Schema):
    event_id = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "applied | unchanged | duplicate | stale (200); ignored (no resident holds the record), "
            "source_error, refresh_queued (202)"
        },
    )
