"""``@blp.partner(scope, action)``: the auth rule every partner route declares (``PartnerBlueprint``).

In order: the bearer token must be a partner access token of this hub (a resident's or staff token, or none, is
a 401 like every wrong-kind token); its app must still be registered and not suspended (401: suspension takes
effect on the next request, whatever the token's remaining minutes); the token must carry ``scope`` (403
``insufficient_scope``); then the route's ``@blp.rate_limited`` limits are counted (``Blueprint.route`` puts them
inside the rule, before the body is read, so a bad body counts too). Every call is audited with the app as actor:
refused ones (403, 404, 409, 413, 422, 429 …) as ``denied`` with the problem's status, successful ones as
``allowed`` (a send writes one event per resident itself, which is what their access log shows).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request
from werkzeug.exceptions import HTTPException

from api.auth.principal import Principal
from api.auth_rules import AuthRule, declare, mark
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from services.audit import record_access
from services.errors import DomainError, Forbidden, Unauthenticated
from services.identity.hub_tokens import AccessTokenInvalid, decode_access_token
from services.models.partners import PartnerApp
from services.partner.client_credentials import app_actor
from services.partner.tokens import PARTNER_KIND

INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="benefits-hub", error="invalid_token"'}


class InsufficientScope(Forbidden):
    title = "Insufficient scope"
    slug = "insufficient-scope"


def current_partner() -> PartnerApp:
    """The calling partner app; only inside a route declaring ``@blp.partner``."""
    return g.partner_app


def audited_by_view() -> None:
    """The view wrote its own ``allowed`` audit events (one per resident): the guard adds none."""
    g.partner_audited = True


def _authenticate(scope: str) -> PartnerApp:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "Send a partner access token (POST /v1/auth/token, grant_type=client_credentials) as a Bearer token."
        )
    hub = current_hub()
    try:
        claims = decode_access_token(hub.signing_keys, token.strip(), issuer=hub.settings.public_url.rstrip("/"))
    except AccessTokenInvalid as error:
        raise Unauthenticated(str(error), headers=INVALID_TOKEN) from None
    if claims.kind != PARTNER_KIND:
        raise Unauthenticated(
            "This route needs a partner app's access token; this token is not valid here.", headers=INVALID_TOKEN
        )
    app = db().get(PartnerApp, claims.client_id)
    if app is None or app.client_id != claims.subject:
        raise Unauthenticated("The app this token was issued to is no longer registered.", headers=INVALID_TOKEN)
    g.partner_app = app
    if app.suspended:
        raise Unauthenticated("This partner app is suspended.", headers=INVALID_TOKEN)
    g.principal = Principal(kind=PARTNER_KIND, session_id=claims.session_id, client_id=app.client_id)
    if scope not in claims.scopes:
        raise InsufficientScope(
            f"This token does not carry the {scope} scope.",
            headers={"WWW-Authenticate": f'Bearer realm="benefits-hub", error="insufficient_scope", scope="{scope}"'},
        )
    return app


def _audit(action: str, outcome: str, detail: list[str]) -> None:
    session = db()
    app = session.get(PartnerApp, g.partner_app.client_id)
    record_access(
        session,
        app_actor(app),
        action,
        outcome=outcome,
        route=f"{request.method} {request.url_rule.rule if request.url_rule else request.path}",
        fields=detail,
        request_id=g.get("request_id"),
    )
    session.commit()


def _audit_refusal(action: str, status: int | None) -> None:
    if g.get("partner_app") is None:
        return  # no app to name: an unauthenticated call is refused before anyone is known
    db().rollback()
    _audit(action, "denied" if status and status < 500 else "error", [f"status:{status}"])


def _enforce(scope: str, action: str) -> Callable[[Callable], Callable]:
    def enforce(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            try:
                _authenticate(scope)
                response = view(*args, **kwargs)
            except Unauthenticated:
                _audit_refusal(action, 401)  # only when the app is known: a suspended one
                raise
            except (DomainError, HTTPException) as error:
                status = error.status if isinstance(error, DomainError) else error.code
                _audit_refusal(action, status)
                raise
            except Exception:
                _audit_refusal(action, 500)
                raise
            if not g.get("partner_audited"):
                _audit(action, "allowed", [])
            return response

        guarded.required_scope = scope
        return mark(guarded, "partner")

    return enforce


TOKEN_REFUSED = (401, "No partner access token, or an expired one, or another kind of token, or a suspended app")
SCOPE_REFUSED = (403, "The token does not carry the route's scope")


class PartnerBlueprint(Blueprint):
    """A blueprint of the partner API: every route declares ``@blp.partner(scope, action)``."""

    def partner(self, scope: str, action: str):
        """A partner token carrying ``scope``; every call audited as ``action`` with the app as actor."""
        rule = AuthRule(
            "partner", _enforce(scope, action), security=("partner",), responses=(TOKEN_REFUSED, SCOPE_REFUSED)
        )
        return declare(rule)
