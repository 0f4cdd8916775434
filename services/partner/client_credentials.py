"""``grant_type=client_credentials`` for partner apps: verify the assertion, grant scopes, issue the token, and
audit the attempt either way (a refused one too: who tried, and why it failed, stays in the log)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.audit import Actor, record_access
from services.db import commits
from services.hub import Hub
from services.identity.refusals import INVALID_CLIENT, INVALID_REQUEST, OAuthError
from services.models.partners import PartnerApp
from services.partner.tokens import (
    ASSERTION_TYPE,
    PartnerToken,
    claimed_client,
    granted_scopes,
    issue_partner_token,
    verify_assertion,
)

TOKEN_PATH = "/v1/auth/token"  # noqa: S105  (a path, not a secret)


def token_url(hub: Hub) -> str:
    """The audience every assertion must name: the hub's token URL under its public address."""
    return hub.settings.public_url.rstrip("/") + TOKEN_PATH


def app_actor(app: PartnerApp) -> Actor:
    return Actor("app", app.client_id, app.name, "partner")


@commits
def client_credentials(
    hub: Hub,
    session: Session,
    *,
    assertion: str | None,
    assertion_type: str | None,
    scope: str | None,
    client_id: str | None,
    request_id: str | None,
) -> PartnerToken:
    """A partner token for the app the assertion proves, or an ``OAuthError``. Commits: the spent ``jti`` and
    the audit event (a refusal's event too, before the error leaves)."""
    try:
        if assertion_type != ASSERTION_TYPE or not assertion:
            raise OAuthError(
                INVALID_CLIENT if assertion_type and assertion_type != ASSERTION_TYPE else INVALID_REQUEST,
                f"client_credentials needs client_assertion_type={ASSERTION_TYPE} and a client_assertion.",
                errors={"client_assertion": ["Missing or of another type."]},
            )
        app = verify_assertion(session, hub.partner_keys, assertion, token_url=token_url(hub), client_id=client_id)
        scopes = granted_scopes(app, scope)
    except OAuthError as error:
        session.rollback()
        who = (claimed_client(assertion) if assertion else None) or client_id or "unknown"
        record_access(
            session,
            Actor("app", who[:64], None, "partner"),
            "partner.token",
            outcome="denied",
            route=f"POST {TOKEN_PATH}",
            fields=[f"error:{error.error}"],
            reason=error.detail,
            request_id=request_id,
        )
        session.commit()
        raise
    issued = issue_partner_token(
        hub.signing_keys,
        app,
        scopes,
        issuer=hub.settings.public_url.rstrip("/"),
        ttl_seconds=hub.settings.partner_token_ttl_seconds,
    )
    record_access(
        session,
        app_actor(app),
        "partner.token",
        route=f"POST {TOKEN_PATH}",
        fields=[f"scope:{scope}" for scope in scopes],
        request_id=request_id,
    )
    session.commit()
    return issued
