"""``POST /v1/platform/events`` (one change) and ``POST /v1/platform/event-batches`` (many in one request):
changes at an agency, signed by the platform, accepted into the hub's inbox and applied once per event id.

The signature (HMAC-SHA256 over ``"<X-Platform-Timestamp>.<raw body>"``) is checked before the body is
parsed; a timestamp outside the window is refused as a possible replay. The request only stores the event
(``services.benefits.event_inbox``): 202 ``accepted`` means it is stored and will be applied in the background
(shortly: stale events change nothing, once per id); 200 ``duplicate`` means the id is already known. A batch
is stored in one transaction and answers 200 with each event's own status, in the order sent.
"""

from __future__ import annotations

from flask import request

from api.current_hub import current_hub
from api.extension import Blueprint
from api.platform.schemas import BatchAckSchema, EventAckSchema, EventBatchSchema, PlatformEventSchema
from services.benefits.event_inbox import ACCEPTED, accept_events
from services.benefits.platform_events import ChangeEvent
from services.errors import InvalidInput

blp = Blueprint("platform_events", __name__, url_prefix="/v1/platform", description="Signed change events")


@blp.route("/events", methods=["POST"])
@blp.platform_signed()
@blp.arguments(PlatformEventSchema)
@blp.response(200, EventAckSchema, description="Already known (`duplicate`): nothing new is stored")
@blp.alt_response(202, schema=EventAckSchema, description="Stored (`accepted`); applied in the background")
def receive_event(event):
    """A change at an agency, signed by the platform; stored once per `event_id` (a redelivery is harmless).

    202 `accepted`: stored, applied shortly in the background (an event older than the hub's view changes
    nothing). 200 `duplicate`: this `event_id` is already stored or applied. The signature
    (`X-Platform-Signature` over `<X-Platform-Timestamp>.<raw body>`) is checked before the body is read."""
    header_id = request.headers.get("X-Platform-Event-Id")
    if header_id is not None and header_id != event["event_id"]:
        raise InvalidInput(
            "X-Platform-Event-Id and the body's event_id differ.", errors={"event_id": ["Does not match the header."]}
        )
    (status,) = accept_events(current_hub(), [_change(event)])
    return {"event_id": event["event_id"], "status": status}, 202 if status == ACCEPTED else 200


@blp.route("/event-batches", methods=["POST"])
@blp.platform_signed()
@blp.arguments(EventBatchSchema)
@blp.response(200, BatchAckSchema, description="Each event's status, in the order sent")
def receive_event_batch(batch):
    """Many changes in one signed request (up to 500), stored in one transaction; each is answered `accepted`
    or `duplicate` as `POST /v1/platform/events` would answer it alone. A batch with one invalid event is
    refused whole (422 naming `events.<index>.<field>`), so nothing of it is stored."""
    events = batch["events"]
    statuses = accept_events(current_hub(), [_change(event) for event in events])
    return {"results": [{"event_id": e["event_id"], "status": s} for e, s in zip(events, statuses, strict=True)]}


def _change(event) -> ChangeEvent:
    return ChangeEvent(event["event_id"], event["agency"], event["record_id"], event["occurred_at"], event["document"])
