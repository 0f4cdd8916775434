"""Bodies of the inbox and preference routes."""

import marshmallow as ma

from api.extension import JsonBoolean
from api.fields import Text
from api.pages import PageMeta
from notifications.rules import CATEGORIES


class NotificationSchema(ma.Schema):
    id = ma.fields.String()
    category = ma.fields.String()
    title = ma.fields.String()
    body = ma.fields.String()
    locale = ma.fields.String()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)
    benefit_id = ma.fields.String(allow_none=True)
    agency = ma.fields.String(allow_none=True)
    urgent = ma.fields.Boolean()
    represented_id = ma.fields.String(
        attribute="designation_id",
        allow_none=True,
        metadata={
            "description": "A copy of a message sent to someone you act for: the designation "
            "(``/v1/me/represented/{id}``); null for your own messages"
        },
    )


class InboxMeta(PageMeta):
    unread_count = ma.fields.Integer()


class CategoryPreferenceSchema(ma.Schema):
    enabled = JsonBoolean(required=True)


HH_MM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class QuietHoursSchema(ma.Schema):
    start = ma.fields.Time(required=True, format="%H:%M", metadata={"example": "21:00", "pattern": HH_MM})
    end = ma.fields.Time(required=True, format="%H:%M", metadata={"example": "07:00", "pattern": HH_MM})
    time_zone = Text(dump_only=True, metadata={"description": "The resident's IANA time zone."})


class PreferencesSchema(ma.Schema):
    """Fields left out of a PUT keep their value; ``quiet_hours: null`` switches quiet hours off."""

    categories = ma.fields.Dict(
        keys=Text(),
        values=ma.fields.Nested(CategoryPreferenceSchema),
        metadata={
            "description": "Per category: whether it pushes. A disabled category still reaches the inbox. Only the "
            "hub's categories; another name is a 422 naming it.",
            "closed_keys": CATEGORIES,  # documented as validated (notifications.preferences refuses others)
            "example": {"payments": {"enabled": False}},
        },
    )
    quiet_hours = ma.fields.Nested(QuietHoursSchema, allow_none=True)
    detailed_previews = JsonBoolean(metadata={"description": "Show program names and amounts on the lock screen."})
