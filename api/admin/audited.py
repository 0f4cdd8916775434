"""``@staff_access(...)``: the one guard every admin route wears, and the audit event each call writes.

Order of checks: the staff token (401, not audited: there is no one to name), the role's permission (403,
audited ``denied``), the stated reason (400, audited ``denied``), break-glass if asked for (403 without the
permission, audited ``denied``), then the view. When the view returns, an ``allowed`` event is appended in
the request's session and committed before the response leaves, so a read that cannot be audited is not
served. A view that fails writes an ``error`` event instead.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable

from flask import g, request

from api.admin.reasons import AccessReasonRequired, access_reason, break_glass_requested
from api.auth.decorators import staff_required
from api.auth.permissions import BREAK_GLASS
from api.auth.principal import Principal, current_principal
from api.database import db
from services.audit import Actor, record_access
from services.errors import Forbidden, Unauthenticated

log = logging.getLogger("hub.admin")
ROLE_RANK = ("support", "supervisor", "admin")


@dataclasses.dataclass
class StaffAccess:
    """What one admin request did, filled in by the guard and the view, written as audit events."""

    action: str
    fields: list[str]
    resident_ids: list[str | None]
    reason: str | None = None
    break_glass: bool = False

    def about(self, *resident_ids: str) -> None:
        """The residents this request turned out to concern (a lookup learns them as it runs)."""
        self.resident_ids = list(resident_ids) or [None]


def current_access() -> StaffAccess:
    return g.staff_access


def staff_access(
    permission: str, action: str, *, fields: tuple[str, ...] = (), reason: bool = True, break_glass: bool = False
) -> Callable[[Callable], Callable]:
    """Guard a view with ``permission``, a stated reason (unless ``reason=False``) and, where the route
    supports it, break-glass; write one audit event per resident concerned."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(*args, **kwargs):
            access = current_access()
            if reason:
                access.reason = access_reason()
            if break_glass and break_glass_requested():
                if not current_principal().can(BREAK_GLASS):
                    raise Forbidden("Only a supervisor may break glass to see data a resident stopped sharing.")
                access.break_glass = True
            return view(*args, **kwargs)

        guarded = staff_required(permission)(checked)

        @functools.wraps(guarded)
        def audited(*args, **kwargs):
            g.staff_access = StaffAccess(action, list(fields), [kwargs.get("resident_id")])
            try:
                response = guarded(*args, **kwargs)
            except Unauthenticated:
                raise
            except (Forbidden, AccessReasonRequired):
                _record_failure("denied")
                raise
            except Exception:
                _record_failure("error")
                raise
            _record("allowed")
            return response

        audited.openapi_facts = {**getattr(audited, "openapi_facts", {}), "access_reason": reason}
        audited.openapi_facts["break_glass"] = break_glass  # the headers it reads (api/openapi/operations.py)
        return audited

    return decorator


def _record(outcome: str) -> None:
    principal: Principal = current_principal()
    access = current_access()
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


def _record_failure(outcome: str) -> None:
    """Audit a refused or failed request on a clean transaction; never hide the original error."""
    if g.get("principal") is None:
        return
    session = db()
    session.rollback()
    try:
        _record(outcome)
    except Exception:
        session.rollback()
        log.exception("could not audit a %s admin request", outcome)


def staff_actor(principal: Principal) -> Actor:
    ranked = [role for role in ROLE_RANK if role in principal.roles]
    return Actor("staff", principal.staff_subject or principal.session_id, principal.staff_name, (ranked or [None])[-1])
