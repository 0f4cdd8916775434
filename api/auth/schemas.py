"""Request and response bodies of the token endpoint and the hub's JWKS."""

from __future__ import annotations

import marshmallow as ma

from api.fields import Text

# OAuth grant and token type names (RFC 6749, RFC 8693), not secrets.
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
REFRESH_TOKEN = "refresh_token"  # noqa: S105
AUTHORIZATION_CODE = "authorization_code"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105

_REQUIRED = {
    TOKEN_EXCHANGE: ("subject_token", "subject_token_type"),
    REFRESH_TOKEN: ("refresh_token",),
    AUTHORIZATION_CODE: ("code", "code_verifier", "redirect_uri"),
}
_TOKEN = ma.validate.Length(min=1, max=8192)


class TokenRequestSchema(ma.Schema):
    """One body for every grant (JSON or form-encoded); which fields are required depends on ``grant_type``."""

    class Meta:
        unknown = ma.EXCLUDE  # OAuth clients send extra parameters (scope, audience, …): ignored

    grant_type = Text(required=True, validate=ma.validate.Length(min=1, max=100))
    client_id = Text(required=True, validate=ma.validate.Length(min=1, max=64))
    subject_token = Text(validate=_TOKEN, metadata={"description": "token exchange: the ID token"})
    subject_token_type = Text(
        validate=ma.validate.OneOf([ID_TOKEN_TYPE, ACCESS_TOKEN_TYPE]),
        metadata={"description": "id_token (sign-in) or access_token (a hub token of another app: single sign-on)"},
    )
    refresh_token = Text(validate=ma.validate.Length(min=1, max=512))
    code = Text(validate=ma.validate.Length(min=1, max=512))
    code_verifier = Text(validate=ma.validate.Length(min=43, max=128))
    redirect_uri = Text(validate=ma.validate.Length(min=1, max=2000))
    nonce = Text(
        validate=ma.validate.Length(min=1, max=255),
        metadata={"description": "the nonce the app sent to the identity provider; checked against the ID token"},
    )
    device_name = Text(
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "shown in the resident's list of sessions"},
    )

    @ma.validates_schema
    def _fields_of_grant(self, data, **kwargs):
        missing = [name for name in _REQUIRED.get(data.get("grant_type"), ()) if not data.get(name)]
        if missing:
            raise ma.ValidationError({name: ["Missing data for required field."] for name in missing})


class TokenResponseSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = ma.fields.String(required=True)
    session_id = ma.fields.String(required=True)
    issued_token_type = ma.fields.String(metadata={"example": ACCESS_TOKEN_TYPE})


class JwkSchema(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    kty = ma.fields.String(required=True)
    kid = ma.fields.String(required=True)
    alg = ma.fields.String()
    use = ma.fields.String()
    crv = ma.fields.String()
    x = ma.fields.String()
    y = ma.fields.String()


class JwksSchema(ma.Schema):
    keys = ma.fields.List(ma.fields.Nested(JwkSchema), required=True)
