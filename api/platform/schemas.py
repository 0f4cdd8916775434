"""The change event the platform posts (alone or in a batch), and the hub's acknowledgement."""

from __future__ import annotations

import marshmallow as ma

from api.fields import JsonDocument, Text
from services.vocabulary import AGENCIES


class PlatformEventSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # the platform may add members; the hub reads what it knows

    event_id = Text(required=True, validate=ma.validate.Length(min=1, max=64))
    type = Text(required=True, validate=ma.validate.OneOf(["record.changed"]))
    agency = Text(required=True, validate=ma.validate.OneOf(AGENCIES))
    person_id = Text(allow_none=True)
    record_id = Text(required=True, validate=ma.validate.Length(min=1, max=64))
    occurred_at = ma.fields.AwareDateTime(required=True)
    scenario_day = ma.fields.Integer(allow_none=True)
    document = JsonDocument(
        required=True, metadata={"description": "Exactly what the agency's feed returns for the record"}
    )


STATUSES = ["accepted", "duplicate"]


class EventAckSchema(ma.Schema):
    event_id = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(STATUSES),
        metadata={
            "description": "accepted (202: stored, applied shortly in the background) | duplicate (200: this "
            "event_id is already stored or applied)"
        },
    )


class EventBatchSchema(ma.Schema):
    events = ma.fields.List(
        ma.fields.Nested(PlatformEventSchema), required=True, validate=ma.validate.Length(min=1, max=500)
    )


class BatchAckSchema(ma.Schema):
    results = ma.fields.List(ma.fields.Nested(EventAckSchema), required=True)
