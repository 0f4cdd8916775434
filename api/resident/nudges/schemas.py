"""Bodies of the nudge routes."""

import marshmallow as ma

from api.extension import JsonBoolean
from api.fields import Text
from services.nudges.rules import KINDS


class NextStepSchema(ma.Schema):
    """Where the app takes the resident next."""

    kind = ma.fields.String(
        metadata={
            "enum": ["open_benefit", "upload_document", "book_interview", "apply"],
            "description": "`open_benefit`: show the benefit (`href` is its hub path); `upload_document`: the upload "
            "route of the action (`POST href`); `book_interview`: the interview times of the action (`GET href`); "
            "`apply`: the agency's own page about the program (an https URL to open in a browser).",
        }
    )
    label = ma.fields.String(metadata={"description": "The button's words, in the resident's language."})
    href = ma.fields.String(metadata={"example": "/v1/me/benefits/01JD7Y3S6V9Q2ZK4M8N1P0R5TA"})
    benefit_id = ma.fields.String(allow_none=True)
    action_id = ma.fields.String(allow_none=True)


class NudgeSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    urgent = ma.fields.Boolean(metadata={"description": "An urgent kind: something to do before a benefit is lost."})
    agency = ma.fields.String(metadata={"description": "The agency it is about; stop sharing it and it goes."})
    title = ma.fields.String()
    body = ma.fields.String()
    reasons = ma.fields.List(
        ma.fields.String(),
        metadata={
            "description": "Why am I seeing this: each fact the suggestion rests on, in plain language.",
            "example": ["Your Medicaid renewal is due on December 27, 2026 and we have not seen your packet returned."],
        },
    )
    action = ma.fields.Nested(NextStepSchema)
    locale = ma.fields.String()
    created_at = ma.fields.DateTime(metadata={"description": "When the hub first saw it apply."})


class DismissedSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    dismissed_at = ma.fields.DateTime()


class KindPreferenceSchema(ma.Schema):
    enabled = JsonBoolean(required=True)


class NudgePreferencesSchema(ma.Schema):
    """Fields left out of a PUT keep their value."""

    kinds = ma.fields.Dict(
        keys=Text(),
        values=ma.fields.Nested(KindPreferenceSchema),
        required=True,
        metadata={
            "description": "Per kind: whether the hub suggests it (shown and, for urgent kinds, pushed). Only the "
            "hub's kinds; another name is a 422 naming it.",
            "closed_keys": KINDS,
            "example": {"energy_assistance_season": {"enabled": False}},
        },
    )
