"""Who is calling: the principal a token check puts on ``g`` for the rest of the request."""

from __future__ import annotations

import dataclasses

from flask import g

from api.auth.permissions import permissions_for


@dataclasses.dataclass(frozen=True)
class Principal:
    kind: str  # resident | staff
    session_id: str
    client_id: str
    resident_id: str | None = None
    staff_subject: str | None = None
    staff_name: str | None = None
    roles: tuple[str, ...] = ()

    def can(self, permission: str) -> bool:
        return self.kind == "staff" and permission in permissions_for(self.roles)


def current_principal() -> Principal:
    """The authenticated caller; only valid inside a view whose auth rule checks a token (``api/auth/guards.py``)."""
    principal = g.get("principal")
    if principal is None:
        raise RuntimeError("current_principal() outside an authenticated view")
    return principal
