"""Support staff fixing what is fixable: resync from the platform, sign a resident out everywhere, resend a
notification. Each needs ``X-Access-Reason`` and is audited like a read."""

from __future__ import annotations

from api.admin.schemas import ResendSchema, ResyncSchema, RevokeSchema
from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import RESEND_NOTIFICATIONS, RESYNC_RESIDENTS, REVOKE_SESSIONS
from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.request_context import arrived_at
from notifications.delivery import queue_resend
from services import support
from services.identity.sessions import RevokeReason, revoke_resident_sessions

blp = AdminBlueprint("admin-actions", __name__, url_prefix="/v1/admin", description="Support staff: fixes (audited)")


@blp.route("/residents/<resident_id>/resync", methods=["POST"])
@blp.staff_access(RESYNC_RESIDENTS, "resident.resync", fields=("benefits",))
@blp.response(200, ResyncSchema)
def resync(resident_id: str, access: StaffAccess):
    """Refresh every agency the resident shares from the platform now (within the read budget; the rest
    finishes in the background)."""
    return {"outcomes": support.resync_resident(current_hub(), db(), resident_id, arrived_at=arrived_at())}


@blp.route("/residents/<resident_id>/sessions/revoke", methods=["POST"])
@blp.staff_access(REVOKE_SESSIONS, "sessions.revoke", fields=("sessions", "devices"))
@blp.response(200, RevokeSchema)
def revoke_sessions(resident_id: str, access: StaffAccess):
    """Sign the resident out on every device at once (their phones stop getting pushes until they sign in)."""
    session = db()
    support.resident_or_404(session, resident_id)
    return {
        "revoked": revoke_resident_sessions(session, resident_id, RevokeReason.SUPPORT)
    }  # committed with its audit event


@blp.route("/notifications/<notification_id>/resend", methods=["POST"])
@blp.staff_access(RESEND_NOTIFICATIONS, "notification.resend", fields=("notifications",))
@blp.idempotent()
@blp.response(200, ResendSchema)
def resend(notification_id: str, access: StaffAccess):
    """Send the message again to the resident's active devices as a new round of deliveries, under the resident's
    settings of now: a category they switched off is recorded cancelled with its reason, and a non-urgent
    message waits for the end of their quiet hours (``not_before``)."""
    session = db()
    message = support.notification_to_resend(session, notification_id)
    access.about(message.resident_id)
    access.fields = ["notifications", f"notification:{notification_id}"]
    deliveries = queue_resend(session, current_hub().runner, message.id, requested_by=current_principal().staff_subject)
    send_round = deliveries[0].send_round if deliveries else None
    return {"notification_id": message.id, "send_round": send_round, "deliveries": deliveries}
