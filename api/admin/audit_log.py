"""``GET /v1/admin/audit-events``: the audit log with filters and cursor pages, narrowed to what the caller's
role may read (support: their own actions; supervisors: every event about a resident; admins: everything).
Reading the log is itself audited."""

from __future__ import annotations

from api.admin.schemas import AuditEventArgs, AuditEventSchema
from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import READ_AUDIT_LOG, READ_OWN_AUDIT, READ_RESIDENT_AUDIT
from api.auth.principal import current_principal
from api.database import db
from services.audit_queries import AuditFilter, audit_events_page, scope_for_reader

blp = AdminBlueprint("admin-audit", __name__, url_prefix="/v1/admin", description="Support staff: the audit log")

FILTERS = ("actor_id", "resident_id", "action", "outcome", "since", "until", "flagged_for_review")


@blp.route("/audit-events")
@blp.staff_access(READ_OWN_AUDIT, "audit.read", reason=False)
@blp.paginated(AuditEventSchema, args=AuditEventArgs)
def audit_events(args, access: StaffAccess):
    """Newest first. Filter by actor, resident, action, outcome, time (``since`` inclusive, ``until``
    exclusive, ISO 8601 with a zone) or ``flagged_for_review``."""
    principal = current_principal()
    scope = "all" if principal.can(READ_AUDIT_LOG) else "residents" if principal.can(READ_RESIDENT_AUDIT) else "own"
    asked = AuditFilter(**{name: args.get(name) for name in FILTERS})
    filters = scope_for_reader(asked, scope=scope, actor_id=principal.staff_subject or "")
    access.fields = ["audit_events", f"scope:{scope}", *(f"filter:{name}" for name in FILTERS if args.get(name))]
    if asked.resident_id:
        access.about(asked.resident_id)  # the resident's own access log then shows that their log was reviewed
    return audit_events_page(db(), filters, limit=args["limit"], after=args["after"])
