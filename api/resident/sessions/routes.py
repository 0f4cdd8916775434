"""``/v1/me/sessions``: the resident's sessions, one per device and app, and signing one out."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.database import db
from api.extension import Blueprint
from api.pages import ListPage
from api.resident.sessions.schemas import SessionSchema
from services.identity import sessions

blp = Blueprint("sessions", __name__, url_prefix="/v1/me", description="The resident's sessions per device")


def _resident_id() -> str:
    return str(current_principal().resident_id)


@blp.route("/sessions")
@blp.resident()
@blp.paginated(SessionSchema)
def list_sessions(args: dict):
    """The resident's live sessions (one per device and app), newest first."""
    page = sessions.resident_sessions_page(db(), _resident_id(), limit=args["limit"], after=args["after"])
    current = current_principal().session_id
    data = [
        {
            "id": s.id,
            "client_id": s.client_id,
            "device_label": s.device_label,
            "user_agent": s.user_agent,
            "created_at": s.created_at,
            "last_seen_at": s.last_seen_at,
            "current": s.id == current,
        }
        for s in page.items
    ]
    return ListPage.of(page, items=data)


@blp.route("/sessions/<string:session_id>", methods=["DELETE"])
@blp.resident()
@blp.response(204)
@blp.alt_response(404, description="No such session of this resident")
def revoke_session(session_id: str):
    """Sign one device out; its tokens stop working at once. Revoking an ended session again is harmless."""
    session = db()
    hub_session = sessions.resident_session(session, _resident_id(), session_id)
    sessions.revoke_session(session, hub_session, sessions.RevokeReason.RESIDENT)
    session.commit()
    return None
