"""The change event the platform posts, and the hub's acknowledgement."""

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


class EventAckSchema(ma.Schema):
    event_id = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "applied | unchanged | duplicate | stale (200: the hub holds this change or a newer view "
            "of the record); ignored | source_error | refresh_queued (202)"
        },
    )
