"""``@blp.staff_access(...)``: the one auth rule every admin route declares, and the audit event each call writes.

Order of checks: the staff token (401, not audited: there is no one to name), the role's permission (403,
audited ``denied``), the stated reason (400, audited ``denied``), break-glass if asked for (403 without the
permission, audited ``denied``), then the view, which receives the request's ``StaffAccess`` as its ``access``
argument and says on it what it turned out to touch. When the view returns, an ``allowed`` event is appended in
the request's session and committed before the response leaves, so a read that cannot be audited is not
served. A view that fails writes an ``error`` event instead.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable

from flask import g, request

from api.admin.access_reason import AccessReasonRequired, access_reason, break_glass_requested
from api.auth.guards import ROLE_REFUSED, TOKEN_REFUSED, staff_required
from api.auth.permissions import BREAK_GLASS
from api.auth.principal import Principal, current_principal
from api.auth_rules import AuthRule, declare
from api.database import db
from api.extension import Blueprint
from services.audit import Actor, record_access
from services.errors import Forbidden, Unauthenticated

log = logging.getLogger("hub.admin")
ROLE_RANK = ("support", "supervisor", "admin")
REASON_REFUSED = (400, "X-Access-Reason is missing or says too little")


@dataclasses.dataclass
class StaffAccess:
    """What one admin request did: made by the rule, passed to the view as ``access``, written as audit events."""

    action: str
    fields: list[str]
    resident_ids: list[str | None]
    reason: str | None = None
    break_glass: bool = False

    def about(self, *resident_ids: str) -> None:
        """The residents this request turned out to concern (a lookup learns them as it runs)."""
        self.resident_ids = list(resident_ids) or [None]


class AdminBlueprint(Blueprint):
    """A blueprint of the admin API: every route is staff-only and audited (``staff_access``)."""

    def staff_access(
        self,
        permission: str,
        action: str,
        *,
        fields: tuple[str, ...] = (),
        reason: bool = True,
        break_glass: bool = False,
    ):
        """A staff token granting ``permission``, a stated reason (unless ``reason=False``) and, where the route
        supports it, break-glass; one audit event ``action`` per resident concerned."""
        enforce = _audited(permission, action, fields=fields, reason=reason, break_glass=break_glass)
        responses = (TOKEN_REFUSED, ROLE_REFUSED, *((REASON_REFUSED,) if reason else ()))
        return declare(AuthRule("staff", enforce, security=("staff",), responses=responses))

    def staff(self, permission: str):
        raise TypeError("every admin route is audited: declare it with @blp.staff_access(permission, action)")


def _audited(
    permission: str, action: str, *, fields: tuple[str, ...], reason: bool, break_glass: bool
) -> Callable[[Callable], Callable]:
    def enforce(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, access: StaffAccess, **kwargs):
            if reason:
                access.reason = access_reason()
            if break_glass and break_glass_requested():
                if not current_principal().can(BREAK_GLASS):
                    raise Forbidden("Only a supervisor may break glass to see data a resident stopped sharing.")
                access.break_glass = True
            return view(*args, access=access, **kwargs)

        guarded = staff_required(permission)(checked)

        @functools.wraps(guarded)
        def audited(*args, **kwargs):
            access = StaffAccess(action, list(fields), [kwargs.get("resident_id")])
            try:
                response = guarded(*args, access=access, **kwargs)
            except Unauthenticated:
                raise
            except (Forbidden, AccessReasonRequired):
                _record_failure(access, "denied")
                raise
            except Exception:
                _record_failure(access, "error")
                raise
            _record(access, "allowed")
            return response

        return audited

    return enforce


def _record(access: StaffAccess, outcome: str) -> None:
    principal: Principal = current_principal()
    session = db()
    for resident_id in access.resident_ids:
        record_access(
            session,
            staff_actor(principal),
            access.action,
            outcome=outcome,
            resident_id=resident_id,
            route=f"{request.method} {request.url_rule.rule}",
            fields=access.fields,
            reason=access.reason,
            request_id=g.get("request_id"),
            break_glass=access.break_glass,
        )
    session.commit()


def _record_failure(access: StaffAccess, outcome: str) -> None:
    """Audit a refused or failed request on a clean transaction; never hide the original error."""
    if g.get("principal") is None:
        return
    session = db()
    session.rollback()
    try:
        _record(access, outcome)
    except Exception:
        session.rollback()
        log.exception("could not audit a %s admin request", outcome)


def staff_actor(principal: Principal) -> Actor:
    ranked = [role for role in ROLE_RANK if role in principal.roles]
    return Actor("staff", principal.staff_subject or principal.session_id, principal.staff_name, (ranked or [None])[-1])
