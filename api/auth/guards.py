"""The checks behind each auth rule: a hub bearer token of the right kind (resident, staff with a permission,
either), or the platform's signature. ``api.extension.Blueprint`` declares them on routes (``@blp.resident()``,
``@blp.staff(PERMISSION)``, ``@blp.signed_in()``, ``@blp.platform_signed()``); see ``api/auth_rules.py``.

A token check verifies the hub's signature (by ``kid``), issuer and expiry, that the token's audience is a
registered app of the right kind, and that its session is live (one primary-key lookup, so a revoked session is
refused on its very next request); then puts a ``Principal`` on ``g``.

Status codes, decided once:
- no token, a malformed, expired or revoked one, or **the wrong kind of token** (a resident token on a staff
  route, a staff token on a resident route) → 401 with ``WWW-Authenticate: Bearer error="invalid_token"``:
  such a token is not a credential for this API at all, so the caller must authenticate differently;
- a valid staff token whose roles lack the permission → 403;
- a platform event without a valid signature in its time window → 401 with
  ``WWW-Authenticate: X-Platform-Signature realm="platform-events"``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request
from sqlalchemy import Select

from api.auth.permissions import ALL_PERMISSIONS
from api.auth.principal import Principal
from api.auth_rules import AuthRule, mark
from api.current_hub import current_hub
from api.database import read_connection
from api.openapi import headers
from services import clock
from services.errors import Forbidden, Unauthenticated
from services.identity.hub_tokens import AccessTokenInvalid, decode_access_token
from services.identity.sessions import SessionInvalid, active_session_rows, session_lookup
from services.platform.signatures import BadSignature, verify

_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="benefits-hub", error="invalid_token"'}
_KIND_NAMES = {"resident": "a resident app's", "staff": "a support staff"}


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Sign in and send the hub's access token as 'Authorization: Bearer <token>'.")
    return token.strip()


def authenticate(kinds: tuple[str, ...], lookup: Select | None = None) -> Principal:
    """The principal behind the request's bearer token, which must be one of ``kinds``; else a 401. ``lookup``:
    the session lookup extended by the route (``session_lookup``); its rows are left in ``g.session_rows``."""
    token = _bearer_token()
    hub = current_hub()
    try:
        claims = decode_access_token(hub.signing_keys, token, issuer=hub.settings.public_url.rstrip("/"))
    except AccessTokenInvalid as error:
        raise Unauthenticated(str(error), headers=_INVALID_TOKEN) from None
    if claims.kind not in kinds:
        wanted = " or ".join(_KIND_NAMES[kind] for kind in kinds)
        raise Unauthenticated(
            f"This route needs {wanted} access token; this token is not valid here.", headers=_INVALID_TOKEN
        )
    connection = read_connection()
    if hub.app_registry.kind_of(connection, claims.client_id) != claims.kind:
        raise Unauthenticated("The app this token was issued to is no longer registered.", headers=_INVALID_TOKEN)
    try:
        rows = active_session_rows(connection, claims, lookup if lookup is not None else session_lookup())
    except SessionInvalid as error:
        raise Unauthenticated(str(error), headers=_INVALID_TOKEN) from None
    g.session_rows = rows
    hub_session = rows[0]
    principal = Principal(
        kind=hub_session.kind,
        session_id=hub_session.id,
        client_id=hub_session.client_id,
        resident_id=hub_session.resident_id,
        staff_subject=hub_session.staff_subject,
        staff_name=hub_session.staff_name,
        roles=tuple(hub_session.staff_roles or ()),
    )
    g.principal = principal
    return principal


def resident_required(view: Callable) -> Callable:
    """A resident app's access token; sets ``g.principal`` (``resident_id`` is who may be read). A view that
    carries ``session_joined`` (a stored read) has its rows looked up with the session, in one statement."""
    lookup = session_lookup(getattr(view, "session_joined", None))

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate(("resident",), lookup)
        return view(*args, **kwargs)

    return mark(wrapper, "resident")


def staff_required(permission: str) -> Callable[[Callable], Callable]:
    """A support staff token whose roles grant ``permission`` (see ``api.auth.permissions``)."""
    if permission not in ALL_PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}; see api/auth/permissions.py")

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = authenticate(("staff",))
            if not principal.can(permission):
                raise Forbidden(f"Your role ({', '.join(principal.roles)}) may not do this ({permission}).")
            return view(*args, **kwargs)

        wrapper.required_permission = permission
        return mark(wrapper, "staff")

    return decorator


def signed_in_required(view: Callable) -> Callable:
    """Any live hub session, resident or staff (signing out is the same for both)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate(("resident", "staff"))
        return view(*args, **kwargs)

    return mark(wrapper, "signed_in")


def platform_signature_required(view: Callable) -> Callable:
    """The platform's HMAC over ``"<X-Platform-Timestamp>.<raw body>"``, inside the replay window, checked on the
    raw bytes before anything parses them."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        settings = current_hub().settings
        try:
            verify(
                settings.platform_events_secret,
                request.headers.get("X-Platform-Timestamp"),
                request.headers.get("X-Platform-Signature"),
                request.get_data(cache=True),
                now=clock.now().timestamp(),
                window=settings.platform_events_window_seconds,
            )
        except BadSignature as error:
            raise Unauthenticated(
                f"The event signature was refused: {error}.",
                headers={"WWW-Authenticate": 'X-Platform-Signature realm="platform-events"'},
            ) from None
        return view(*args, **kwargs)

    return mark(wrapper, "platform-signature")


# The rules routes declare (``api.extension.Blueprint``): each check with what it documents.

TOKEN_REFUSED = (401, "Missing or invalid token")
ROLE_REFUSED = (403, "The staff role may not do this")

RESIDENT = AuthRule("resident", resident_required, security=("resident",), responses=(TOKEN_REFUSED,))
SIGNED_IN = AuthRule("signed_in", signed_in_required, security=("resident", "staff"), responses=(TOKEN_REFUSED,))
PLATFORM_SIGNED = AuthRule(
    "platform-signature",
    platform_signature_required,
    security=("platformSignature",),
    responses=((401, "Missing, wrong or expired signature"),),
    parameters=(headers.PLATFORM_TIMESTAMP, headers.PLATFORM_EVENT_ID),
)


def staff(permission: str) -> AuthRule:
    return AuthRule("staff", staff_required(permission), security=("staff",), responses=(TOKEN_REFUSED, ROLE_REFUSED))
