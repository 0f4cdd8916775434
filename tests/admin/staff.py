"""Staff and residents for admin tests without an identity provider: rows and hub tokens minted with the hub's
own signing code (staff sign-in itself is tested in tests/auth, and used by the end-to-end story here)."""

from __future__ import annotations

import dataclasses
import itertools

from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.identity.hub_tokens import issue_access_token
from services.identity.sessions import open_session
from services.models.identity import Resident

REASON = "Caller asked why her SNAP is missing"
STAFF = {
    "support": ("staff-0001", "Sophie Turner"),
    "supervisor": ("staff-0002", "Omar Haddad"),
    "admin": ("staff-0003", "Ada Okafor"),
}
_numbers = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Caller:
    subject: str
    token: str

    def headers(self, reason: str | None = REASON, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}", **extra}
        if reason is not None:
            headers["X-Access-Reason"] = reason
        return headers


def _token(hub, session, *, kind: str, subject: str, session_id: str, client_id: str, roles=()) -> str:
    return issue_access_token(
        hub.signing_keys,
        issuer=hub.settings.public_url.rstrip("/"),
        subject=subject,
        kind=kind,
        session_id=session_id,
        client_id=client_id,
        ttl_seconds=900,
        roles=roles,
    )


def staff_member(hub, role: str) -> Caller:
    subject, name = STAFF[role]
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
        hub_session = open_session(
            session,
            kind="staff",
            client_id="support-console",
            staff_subject=subject,
            staff_name=name,
            staff_roles=(role,),
        )
        token = _token(
            hub,
            session,
            kind="staff",
            subject=subject,
            session_id=hub_session.id,
            client_id="support-console",
            roles=(role,),
        )
        session.commit()
    return Caller(subject, token)


def resident(hub, **columns) -> Caller:
    """A verified resident (``subject`` is the resident id) signed in on the sandbox app."""
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
        row = Resident(issuer="test", subject=f"resident-{next(_numbers)}", identity_verified=True, **columns)
        session.add(row)
        session.flush()
        hub_session = open_session(session, kind="resident", client_id="sandbox-app", resident_id=row.id)
        token = _token(
            hub, session, kind="resident", subject=row.id, session_id=hub_session.id, client_id="sandbox-app"
        )
        session.commit()
        return Caller(row.id, token)
