"""``POST /v1/auth/token`` (sign-in and refresh), ``POST /v1/auth/logout`` and ``GET /.well-known/jwks.json``."""

from __future__ import annotations

from werkzeug.exceptions import BadRequest, UnprocessableEntity

from api.auth.principal import current_principal
from api.auth.schemas import (
    ACCESS_TOKEN_TYPE,
    AUTHORIZATION_CODE,
    CLIENT_CREDENTIALS,
    ID_TOKEN_TYPE,
    REFRESH_TOKEN,
    TOKEN_EXCHANGE,
    JwksSchema,
    TokenRequestSchema,
    TokenResponseSchema,
)
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.partner.tokens import partner_token_response
from api.problems import problem_response, validation_errors
from api.request_context import header_text
from api.response_headers import cache_policy
from services.identity import sign_in
from services.identity.refusals import INVALID_REQUEST, UNSUPPORTED_GRANT_TYPE, OAuthError
from services.identity.sessions import IssuedTokens, RevokeReason, revoke_session
from services.models.identity import HubSession


class SignInBlueprint(Blueprint):
    """The token endpoint takes JSON or a form body (OAuth clients send forms); documented as JSON."""

    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json_or_form": "application/json",
    }


sign_in_blp = SignInBlueprint("sign-in", __name__, url_prefix="/v1/auth", description="Sign-in and token refresh")
blp = Blueprint("auth", __name__, url_prefix="/v1/auth", description="Ending a session")
well_known_blp = Blueprint("well-known", __name__, url_prefix="/.well-known", description="The hub's public keys")

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@sign_in_blp.errorhandler(UnprocessableEntity)
@sign_in_blp.errorhandler(BadRequest)
def _invalid_token_request(error):
    """OAuth clients expect 400 ``invalid_request`` for a malformed token request, not a 422."""
    errors = validation_errors(error)
    return problem_response(
        400,
        "The token request is missing or has invalid fields; see errors.",
        title="Token request refused",
        type_="https://benefits-hub.example/problems/oauth-error",
        errors=errors,
        headers=NO_STORE,
        error=INVALID_REQUEST,
    )


def _token_response(issued: IssuedTokens) -> tuple[dict, int, dict]:
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "session_id": issued.session_id,
        "issued_token_type": ACCESS_TOKEN_TYPE,
    }
    return body, 200, NO_STORE


@sign_in_blp.route("/token", methods=["POST"])
@sign_in_blp.arguments(
    TokenRequestSchema,
    location="json_or_form",
    description="JSON or application/x-www-form-urlencoded.",
    error_status_code=400,
)
@sign_in_blp.response(200, TokenResponseSchema)
@sign_in_blp.alt_response(400, description="OAuth error (`error`: invalid_request, invalid_grant, …)")
@sign_in_blp.alt_response(401, description="OAuth error `invalid_client`: not a registered app")
@sign_in_blp.alt_response(429, description="Too many sign-in attempts; see Retry-After")
@sign_in_blp.public()
@sign_in_blp.limited_by_blueprint()
def token(body: dict):
    """Exchange an ID token, an authorization code (PKCE) or another app's hub token for hub tokens; or refresh.

    - `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, `subject_token_type=…:id_token`,
      `subject_token=<ID token>`: sign in with the identity provider's ID token (pass `nonce` if you sent one).
    - the same with `subject_token_type=…:access_token` and a hub access token of another registered app:
      single sign-on, a session of its own for `client_id`.
    - `grant_type=authorization_code` with `code`, `code_verifier`, `redirect_uri`: the hub redeems the code
      at the identity provider and verifies the ID token itself.
    - `grant_type=refresh_token` with `refresh_token`: rotation; a refresh token works once.
    - `grant_type=client_credentials` with `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`
      and `client_assertion` (RFC 7523 private_key_jwt), optional `scope`: a partner app's access token
      (at most 5 minutes, no refresh token). Refusals: `invalid_client` (401), `invalid_scope` (400).
    """
    hub = current_hub()
    device = sign_in.Device(label=body.get("device_name"), user_agent=header_text("User-Agent") or None)
    grant, client_id = body["grant_type"], body.get("client_id")
    if grant == CLIENT_CREDENTIALS:
        return partner_token_response(hub, body)
    if grant == TOKEN_EXCHANGE and body["subject_token_type"] == ID_TOKEN_TYPE:
        issued = sign_in.exchange_id_token(
            hub, db(), id_token=body["subject_token"], client_id=client_id, nonce=body.get("nonce"), device=device
        )
    elif grant == TOKEN_EXCHANGE:
        issued = sign_in.exchange_hub_token(
            hub, db(), access_token=body["subject_token"], client_id=client_id, device=device
        )
    elif grant == AUTHORIZATION_CODE:
        issued = sign_in.exchange_authorization_code(
            hub,
            db(),
            code=body["code"],
            code_verifier=body["code_verifier"],
            redirect_uri=body["redirect_uri"],
            client_id=client_id,
            nonce=body.get("nonce"),
            device=device,
        )
    elif grant == REFRESH_TOKEN:
        issued = sign_in.refresh(hub, db(), refresh_token=body["refresh_token"], client_id=client_id)
    else:
        raise OAuthError(
            UNSUPPORTED_GRANT_TYPE, "Use token-exchange, authorization_code, refresh_token or client_credentials."
        )
    return _token_response(issued)


@blp.route("/logout", methods=["POST"])
@blp.signed_in()
@blp.response(204)
def logout():
    """End the calling session: its access and refresh tokens stop working at once."""
    session = db()
    revoke_session(session, session.get(HubSession, current_principal().session_id), RevokeReason.LOGOUT)
    session.commit()
    return None


@well_known_blp.route("/jwks.json")
@cache_policy("public, max-age=300")
@well_known_blp.response(200, JwksSchema)
@well_known_blp.public()
def jwks():
    """The hub's public signing keys (`kid`, ES256): every key listed verifies; the first one signs."""
    return current_hub().signing_keys.jwks()
