"""``POST /v1/platform/events``: a change at an agency, signed by the platform, applied once per event id.

The signature (HMAC-SHA256 over ``"<X-Platform-Timestamp>.<raw body>"``) is checked before the body is
parsed; a timestamp outside the window is refused as a possible replay. 200 means the change is stored (or
was already, or the hub holds a newer view: ``stale``); 202 means accepted but not applied (no resident is linked
to the record, or a pull was queued instead); 503 means the pull it needs could not be queued, so the event is
not remembered and its redelivery is welcome.
"""

from __future__ import annotations

from flask import request

from api.current_hub import current_hub
from api.extension import Blueprint
from api.platform.schemas import EventAckSchema, PlatformEventSchema
from services.benefits.platform_events import IGNORED, REFRESH_QUEUED, SOURCE_ERROR, ChangeEvent, apply_change_event
from services.errors import InvalidInput

blp = Blueprint("platform_events", __name__, url_prefix="/v1/platform", description="Signed change events")


@blp.route("/events", methods=["POST"])
@blp.platform_signed()
@blp.arguments(PlatformEventSchema)
@blp.response(200, EventAckSchema)
@blp.alt_response(202, schema=EventAckSchema, description="Accepted, not applied (no linked resident, or unreadable)")
@blp.alt_response(503, description="The pull this event needs could not be queued; not remembered, deliver again")
def receive_event(event):
    header_id = request.headers.get("X-Platform-Event-Id")
    if header_id is not None and header_id != event["event_id"]:
        raise InvalidInput(
            "X-Platform-Event-Id and the body's event_id differ.", errors={"event_id": ["Does not match the header."]}
        )
    outcome = apply_change_event(
        current_hub(),
        ChangeEvent(event["event_id"], event["agency"], event["record_id"], event["occurred_at"], event["document"]),
    )
    return {"event_id": event["event_id"], "status": outcome}, 202 if outcome in (
        IGNORED,
        SOURCE_ERROR,
        REFRESH_QUEUED,
    ) else 200
