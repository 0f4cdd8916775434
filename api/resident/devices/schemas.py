"""Request and response bodies of the device routes. A push token goes in whole and comes out masked."""

import marshmallow as ma

from api.fields import Text
from services.devices import PLATFORMS, masked_token

LOCALE = ma.validate.Regexp(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,2}$", error="Not a language tag like en or es-US.")


class DeviceRegistrationSchema(ma.Schema):
    platform = Text(required=True, validate=ma.validate.OneOf(PLATFORMS))
    push_token = Text(
        required=True,
        load_only=True,
        validate=[
            ma.validate.Length(min=8, max=4096),
            ma.validate.Regexp(r"^\S+$", error="A push token has no spaces."),
        ],
    )
    app_id = Text(required=True, validate=ma.validate.Length(min=1, max=128))
    locale = Text(load_default=None, allow_none=True, validate=LOCALE)


class DeviceSchema(ma.Schema):
    id = ma.fields.String()
    platform = ma.fields.String()
    app_id = ma.fields.String()
    locale = ma.fields.String(allow_none=True)
    push_token = ma.fields.Function(
        masked_token, metadata={"description": "Masked: only the last characters, enough to tell two phones apart."}
    )
    active = ma.fields.Boolean()
    registered_at = ma.fields.DateTime()
    created_at = ma.fields.DateTime()
