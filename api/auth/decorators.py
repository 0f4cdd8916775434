"""Auth decorators: ``@resident_required``, ``@staff_required(permission)`` and ``@signed_in_required``.

Each checks the bearer token (the hub's signature by ``kid``, issuer, expiry), that its audience is a
registered app of the right kind, and that its session is live (one primary-key lookup, so a revoked session
is refused on its very next request); then puts a ``Principal`` on ``g`` and marks the view for the
route-walk test. Pair each with ``@blp.requires("resident"|"staff")`` to document the security scheme, and
put it directly under ``@blp.route`` so that authentication runs before the body is parsed (an anonymous
caller gets a 401, never a 422 describing the route's fields)::

    @blp.route("/residents/<resident_id>")
    @staff_required(READ_RESIDENTS)
    @blp.requires("staff")
    @blp.response(200, ResidentSchema)
    def get_resident(resident_id): ...

Status codes, decided once:
- no token, a malformed, expired or revoked one, or **the wrong kind of token** (a resident token on a staff
  route, a staff token on a resident route) → 401 with ``WWW-Authenticate: Bearer error="invalid_token"``:
  such a token is not a credential for this API at all, so the caller must authenticate differently;
- a valid staff token whose roles lack the permission → 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import g, request

from api.auth.permissions import ALL_PERMISSIONS
from api.auth.principal import Principal
from api.auth_rules import mark
from api.current_hub import current_hub
from api.database import db
from services.errors import Forbidden, Unauthenticated
from services.identity.hub_tokens import AccessTokenInvalid, decode_access_token
from services.identity.sessions import SessionInvalid, active_session

_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer realm="benefits-hub", error="invalid_token"'}
_KIND_NAMES = {"resident": "a resident app's", "staff": "a support staff"}


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Sign in and send the hub's access token as 'Authorization: Bearer <token>'.")
    return token.strip()


def authenticate(kinds: tuple[str, ...]) -> Principal:
    """The principal behind the request's bearer token, which must be one of ``kinds``; else a 401."""
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
    session = db()
    if hub.app_registry.kind_of(session, claims.client_id) != claims.kind:
        raise Unauthenticated("The app this token was issued to is no longer registered.", headers=_INVALID_TOKEN)
    try:
        hub_session = active_session(session, claims)
    except SessionInvalid as error:
        raise Unauthenticated(str(error), headers=_INVALID_TOKEN) from None
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
    """A resident app's access token; sets ``g.principal`` (``resident_id`` is who may be read)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        authenticate(("resident",))
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
