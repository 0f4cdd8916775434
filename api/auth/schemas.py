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
CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_REQUIRED = {
    TOKEN_EXCHANGE: ("subject_token", "subject_token_type"),
    REFRESH_TOKEN: ("refresh_token",),
    AUTHORIZATION_CODE: ("code", "code_verifier", "redirect_uri"),
    CLIENT_CREDENTIALS: ("client_assertion_type", "client_assertion"),
}
_TOKEN = ma.validate.Length(min=1, max=8192)


class TokenRequestSchema(ma.Schema):
    """One body for every grant (JSON or form-encoded); which fields are required depends on ``grant_type``."""

    class Meta:
        unknown = ma.EXCLUDE  # OAuth clients send extra parameters (scope, audience, …): ignored

    grant_type = Text(required=True, validate=ma.validate.Length(min=1, max=100))
    client_id = Text(
        validate=ma.validate.Length(min=1, max=64),
        metadata={"description": "Required for every grant but client_credentials (the assertion names the app)"},
    )
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

    client_assertion_type = Text(
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": f"client_credentials: {JWT_BEARER_ASSERTION}"},
    )
    client_assertion = Text(
        validate=_TOKEN,
        metadata={
            "description": "client_credentials: an RS256 or ES256 JWT signed by a key in the partner app's JWKS, "
            "iss = sub = the client id, aud = this token URL, a unique jti, exp at most 5 minutes ahead"
        },
    )
    scope = Text(
        validate=ma.validate.Length(min=1, max=500),
        metadata={"description": "client_credentials: space-separated scopes wanted (default: every granted one)"},
    )

    @ma.validates_schema
    def _fields_of_grant(self, data, **kwargs):
        required = _REQUIRED.get(data.get("grant_type"), ())
        if data.get("grant_type") in _REQUIRED and data.get("grant_type") != CLIENT_CREDENTIALS:
            required = ("client_id", *required)
        missing = [name for name in required if not data.get(name)]
        if missing:
            raise ma.ValidationError({name: ["Missing data for required field."] for name in missing})


class TokenResponseSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = ma.fields.String(metadata={"description": "Residents and staff (not client_credentials)"})
    session_id = ma.fields.String(metadata={"description": "Residents and staff (not client_credentials)"})
    scope = ma.fields.String(
        metadata={"description": "client_credentials: the scopes granted", "example": "notifications:send"}
    )
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
