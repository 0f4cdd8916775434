"""Sign-in: turn what an app presents at ``POST /v1/auth/token`` into a hub session and tokens.

Four ways in, one way out (``IssuedTokens``):

- an ID token from the resident identity provider (RFC 8693 token exchange);
- an authorization code + PKCE verifier, which the hub redeems at the provider's token endpoint itself
  (the hub as broker), then verifies the ID token it gets back exactly as above;
- a hub access token held by another registered resident app (single sign-on across apps: one sign-in at
  the provider, then every app gets its own session and tokens for the same resident);
- an ID token from the workforce provider, for the support console (staff sessions carrying roles).

Which provider verifies is decided by the app registration's ``kind``; resident and staff tokens are never
interchangeable. Every ID token signs someone in once (``services.identity.used_id_tokens``). Verified resident
sign-ins also search the person index for the resident's agency records. Each way in commits the new session, its
tokens and the spent ID token before it returns them (``@commits``): tokens never leave for a session not stored.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlalchemy.orm import Session

from config import Settings
from services.db import commits
from services.hub import Hub
from services.identity import hub_tokens
from services.identity.app_registry import find_app_client
from services.identity.linking import search_records
from services.identity.refusals import INVALID_CLIENT, INVALID_GRANT, OAuthError
from services.identity.residents import resident_from_claims
from services.identity.sessions import (
    IssuedTokens,
    SessionInvalid,
    TokenSettings,
    active_session,
    issue_tokens,
    open_session,
    refresh_session,
)
from services.identity.used_id_tokens import spend_id_token
from services.models.app_clients import AppClient
from services.representation.platform_sync import discover_job

log = logging.getLogger("hub.identity.sign_in")

STAFF_ROLES = ("support", "supervisor", "admin")
VERIFIED_CLAIMS = ("given_name", "family_name", "birthdate", "ssn_last4")


@dataclasses.dataclass(frozen=True)
class Device:
    """What the app says about the device (shown in the resident's session list)."""

    label: str | None = None
    user_agent: str | None = None


def token_settings(settings: Settings) -> TokenSettings:
    return TokenSettings(
        issuer=settings.public_url.rstrip("/"),
        access_ttl_seconds=settings.access_token_ttl_seconds,
        refresh_ttl_days=settings.refresh_token_ttl_days,
    )


def registered_app(session: Session, client_id: str) -> AppClient:
    app = find_app_client(session, client_id)
    if app is None or app.kind not in {"resident", "staff"}:
        raise OAuthError(INVALID_CLIENT, "The client_id is not a registered app that may sign people in.")
    return app


def _require_kind(app: AppClient, kind: str) -> None:
    if app.kind != kind:
        what = "a resident app" if kind == "resident" else "the support console"
        raise OAuthError(INVALID_CLIENT, f"This grant is only for {what}; {app.client_id!r} is not.")


# Residents ---------------------------------------------------------------------------------------------


@commits
def exchange_id_token(
    hub: Hub, session: Session, *, id_token: str, client_id: str, nonce: str | None = None, device: Device = Device()
) -> IssuedTokens:
    """Token exchange: a provider ID token for the app ``client_id`` → a new hub session for that app."""
    app = registered_app(session, client_id)
    if app.kind == "staff":
        return _staff_sign_in(hub, session, app=app, id_token=id_token, nonce=nonce, device=device)
    claims = hub.resident_idp.verify(id_token, audience=client_id, nonce=nonce)
    spend_id_token(session, claims, id_token)
    return _resident_sign_in(hub, session, app=app, claims=claims, device=device)


@commits
def exchange_authorization_code(
    hub: Hub,
    session: Session,
    *,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    client_id: str,
    nonce: str | None = None,
    device: Device = Device(),
) -> IssuedTokens:
    """The broker: redeem the app's code at the provider, verify the ID token it returns, sign in."""
    app = registered_app(session, client_id)
    _require_kind(app, "resident")
    provider = hub.resident_idp
    id_token = provider.redeem_code(
        code=code, code_verifier=code_verifier, redirect_uri=redirect_uri, client_id=client_id
    )
    claims = provider.verify(id_token, audience=client_id, nonce=nonce)
    spend_id_token(session, claims, id_token)
    return _resident_sign_in(hub, session, app=app, claims=claims, device=device)


@commits
def exchange_hub_token(
    hub: Hub, session: Session, *, access_token: str, client_id: str, device: Device = Device()
) -> IssuedTokens:
    """Single sign-on: another resident app's live hub access token → a session of its own for ``client_id``."""
    app = registered_app(session, client_id)
    _require_kind(app, "resident")
    try:
        claims = hub_tokens.decode_access_token(
            hub.signing_keys, access_token, issuer=token_settings(hub.settings).issuer
        )
        source = active_session(session.connection(), claims)
    except (hub_tokens.AccessTokenInvalid, SessionInvalid) as error:
        raise OAuthError(INVALID_GRANT, str(error)) from None
    if source.kind != "resident" or source.resident_id is None:
        raise OAuthError(INVALID_GRANT, "Only a resident's access token can be exchanged for another app.")
    hub_session = open_session(
        session,
        kind="resident",
        client_id=app.client_id,
        resident_id=source.resident_id,
        device_label=device.label,
        user_agent=device.user_agent,
    )
    issued = issue_tokens(session, hub_session, hub.signing_keys, token_settings(hub.settings))
    session.commit()
    return issued


@commits
def refresh(hub: Hub, session: Session, *, refresh_token: str, client_id: str) -> IssuedTokens:
    registered_app(session, client_id)
    return refresh_session(
        session,
        refresh_token,
        client_id=client_id,
        keys=hub.signing_keys,
        config=token_settings(hub.settings),
    )


@commits
def _resident_sign_in(hub: Hub, session: Session, *, app: AppClient, claims: dict[str, Any], device: Device):
    settings = hub.settings
    acr = claims.get("acr")
    if acr not in settings.oidc_accepted_acr:
        raise OAuthError(INVALID_GRANT, "The sign-in's assurance level (acr) is not one this hub accepts.")
    verified = acr in settings.oidc_verified_acr
    missing = [name for name in VERIFIED_CLAIMS if verified and not claims.get(name)]
    if missing:
        raise OAuthError(INVALID_GRANT, f"A verified sign-in must carry {', '.join(missing)}.")
    resident = resident_from_claims(
        session,
        claims,
        verified=verified,
        cipher=hub.field_cipher,
        hasher=hub.lookup_hasher,
    )
    if verified:
        search_records(session, resident, hub.person_index, hub.field_cipher)
    hub_session = open_session(
        session,
        kind="resident",
        client_id=app.client_id,
        resident_id=resident.id,
        device_label=device.label,
        user_agent=device.user_agent,
    )
    issued = issue_tokens(session, hub_session, hub.signing_keys, token_settings(hub.settings))
    session.commit()
    if resident.identity_verified and resident.platform_person_id:  # agencies may have named them a representative
        hub.runner.submit(discover_job, resident_id=resident.id)
    log.info(
        "resident signed in",
        extra={
            "resident_id": resident.id,
            "session_id": hub_session.id,
            "client_id": app.client_id,
            "identity_verified": resident.identity_verified,
        },
    )
    return issued


# Staff -------------------------------------------------------------------------------------------------


@commits
def _staff_sign_in(hub: Hub, session: Session, *, app: AppClient, id_token: str, nonce: str | None, device: Device):
    claims = hub.staff_idp.verify(id_token, audience=app.client_id, nonce=nonce, required=("roles",))
    spend_id_token(session, claims, id_token)
    roles = claims.get("roles")
    if not isinstance(roles, list):
        raise OAuthError(INVALID_GRANT, "The workforce ID token's roles claim must be a list.")
    known = tuple(role for role in STAFF_ROLES if role in roles)
    if not known:
        raise OAuthError(INVALID_GRANT, "The staff member has no support role (support, supervisor or admin).")
    name = claims.get("name")
    hub_session = open_session(
        session,
        kind="staff",
        client_id=app.client_id,
        staff_subject=f"{claims['sub']}"[:255],
        staff_name=name[:200] if isinstance(name, str) else None,
        staff_roles=known,
        device_label=device.label,
        user_agent=device.user_agent,
    )
    issued = issue_tokens(session, hub_session, hub.signing_keys, token_settings(hub.settings))
    session.commit()
    log.info("staff signed in", extra={"session_id": hub_session.id, "roles": list(known)})
    return issued
