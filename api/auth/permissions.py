"""What each support role may do, in one place. Higher roles include everything below them.

- ``support``: read a resident's data (with a stated reason), resync from the platform, resend notifications, and
  read a partner app's messages and their deliveries (with a stated reason: they are residents' messages).
- ``supervisor``: also revoke a resident's sessions, unlink agency records, break glass, and list partner apps.
- ``admin``: also manage app registrations (suspend, reinstate and re-key partner apps) and read the whole audit
  log.

The audit log (``GET /v1/admin/audit-events``): support read their own actions, supervisors every event about
a resident (to review colleagues and break-glass use), admins everything.
"""

from __future__ import annotations

READ_RESIDENTS = "residents:read"
RESYNC_RESIDENTS = "residents:resync"
RESEND_NOTIFICATIONS = "notifications:resend"
REVOKE_SESSIONS = "sessions:revoke"
UNLINK_RECORDS = "links:unlink"
BREAK_GLASS = "break_glass"
MANAGE_APPS = "apps:manage"
READ_AUDIT_LOG = "audit:read_all"
READ_OWN_AUDIT = "audit:read_own"
READ_RESIDENT_AUDIT = "audit:read_residents"
READ_PARTNER_MESSAGES = "partner_messages:read"
READ_PARTNER_APPS = "partner_apps:read"
END_DESIGNATIONS = "designations:end"  # end an authorized representative's designation

_SUPPORT = frozenset(
    {READ_RESIDENTS, RESYNC_RESIDENTS, RESEND_NOTIFICATIONS, READ_OWN_AUDIT, READ_PARTNER_MESSAGES, END_DESIGNATIONS}
)
_SUPERVISOR = _SUPPORT | {REVOKE_SESSIONS, UNLINK_RECORDS, BREAK_GLASS, READ_RESIDENT_AUDIT, READ_PARTNER_APPS}
_ADMIN = _SUPERVISOR | {MANAGE_APPS, READ_AUDIT_LOG}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {"support": _SUPPORT, "supervisor": _SUPERVISOR, "admin": _ADMIN}
ALL_PERMISSIONS = _ADMIN


def permissions_for(roles: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Everything any of ``roles`` allows; unknown roles allow nothing."""
    granted: frozenset[str] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return granted
