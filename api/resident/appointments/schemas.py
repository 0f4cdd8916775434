"""Bodies of the interview routes: the times offered, the booking request and the appointment."""

import marshmallow as ma

from api.fields import Text


class SlotSchema(ma.Schema):
    id = ma.fields.String(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(("phone", "office", "video")))
    location_or_phone = ma.fields.String(required=True)


class BookingSchema(ma.Schema):
    slot_id = Text(required=True, validate=ma.validate.Length(min=1, max=64))


class AppointmentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    action_id = ma.fields.String(required=True)
    slot_id = ma.fields.String(required=True)
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)
    mode = ma.fields.String(required=True, validate=ma.validate.OneOf(("phone", "office", "video")))
    location_or_phone = ma.fields.String(required=True)
    confirmation_number = ma.fields.String(required=True, metadata={"description": "The agency's confirmation"})
    calendar_url = ma.fields.Function(
        lambda a: getattr(a, "calendar_url", None) or f"/v1/me/appointments/{a.id}.ics",
        metadata={"description": "The appointment as an .ics file (a representative's: under their designation)"},
    )
