"""``/v1/partner``: program notifications to the residents of a case, their status, and case changes."""

from __future__ import annotations

from flask import g, request

from api.current_hub import current_hub
from api.database import db
from api.pages import ListPage
from api.partner.guard import PartnerBlueprint, audited_by_view, current_partner
from api.partner.presenters import notification_statuses
from api.partner.schemas import (
    NotificationAcceptedSchema,
    NotificationListArgs,
    NotificationRequestSchema,
    NotificationStatusSchema,
    PartnerEventAckSchema,
)
from api.platform.schemas import PlatformEventSchema
from services.benefits.platform_events import IGNORED, REFRESH_QUEUED, SOURCE_ERROR
from services.partner.apps import EVENTS, READ, SEND
from services.partner.client_credentials import app_actor
from services.partner.events import PartnerEvent, apply_partner_event
from services.partner.notifications import (
    NewNotification,
    accept_notification,
    notifications_page,
    own_notification,
)

blp = PartnerBlueprint(
    "partner", __name__, url_prefix="/v1/partner", description="Partner API: agency systems message their residents"
)
LIMIT_RESPONSES = {
    "responses": {
        "429": {"description": "Over the app's rate limit or daily quota (the detail names it); see Retry-After"}
    }
}


@blp.route("/notifications", methods=["POST"])
@blp.partner(SEND, "partner.notification.send")
@blp.rate_limited("partner-notifications")
@blp.idempotent()
@blp.arguments(NotificationRequestSchema)
@blp.response(202, NotificationAcceptedSchema)
@blp.doc(**LIMIT_RESPONSES)
@blp.alt_response(404, description="No such case at your agency (a case of another agency is answered the same)")
def send_notification(body: dict):
    """Message the residents who hold one of your agency's cases in the app.

    Everything residents chose applies: a resident who does not share your agency gets nothing (`withheld`),
    switched-off categories and quiet hours hold the push, the lock screen shows a generic text unless they
    allow detailed previews, and they read the text in their language (`es` if you gave it and they read
    Spanish, else `en`). Send `Idempotency-Key` so a retry sends nothing twice.
    """
    session = db()
    app = current_partner()
    notification = accept_notification(
        session,
        current_hub().lookup_hasher,
        app,
        app_actor(app),
        NewNotification(
            case_number=body["case_number"],
            category=body["category"],
            title=body["title"],
            body=body["body"],
            reference=body["reference"],
            personalisation=body["personalisation"],
        ),
        route=f"POST {request.url_rule.rule}",
        request_id=g.get("request_id"),
    )
    session.commit()
    audited_by_view()
    return {"id": notification.id, "status": notification.status, "reference": notification.reference}


@blp.route("/notifications/<notification_id>")
@blp.partner(READ, "partner.notification.read")
@blp.rate_limited("partner")
@blp.response(200, NotificationStatusSchema)
@blp.doc(**LIMIT_RESPONSES)
@blp.alt_response(404, description="Not one of your notifications")
def notificationnotification_statuses(notification_id: str):
    """What became of one of your notifications: its status, its pushes by state, and when."""
    session = db()
    return notification_statuses(session, [own_notification(session, current_partner(), notification_id)])[0]


@blp.route("/notifications")
@blp.partner(READ, "partner.notification.list")
@blp.rate_limited("partner")
@blp.paginated(NotificationStatusSchema, args=NotificationListArgs)
@blp.doc(**LIMIT_RESPONSES)
def list_notifications(args: dict):
    """Your notifications, newest first, optionally by `reference` and accepted `since` a moment."""
    session = db()
    page = notifications_page(
        session,
        current_partner(),
        reference=args["reference"],
        since=args["since"],
        limit=args["limit"],
        after=args["after"],
    )
    return ListPage.of(page, items=notification_statuses(session, page.items))


@blp.route("/events", methods=["POST"])
@blp.partner(EVENTS, "partner.event")
@blp.rate_limited("partner")
@blp.arguments(PlatformEventSchema)
@blp.response(200, PartnerEventAckSchema)
@blp.doc(**LIMIT_RESPONSES)
@blp.alt_response(202, schema=PartnerEventAckSchema, description="Accepted, not applied (no resident holds it)")
@blp.alt_response(403, description="The event is for another agency")
def post_event(event: dict):
    """A change to one of your agency's records, in the platform's change-event shape; applied once per `event_id`.

    It goes through the same sync, outbox and notifications as the platform's own events. `occurred_at` is when the
    change happened at the agency; a time more than a few minutes ahead of the hub's clock is refused.
    """
    outcome = apply_partner_event(
        current_hub(),
        current_partner(),
        PartnerEvent(event["event_id"], event["agency"], event["record_id"], event["occurred_at"], event["document"]),
    )
    status = 202 if outcome in (IGNORED, SOURCE_ERROR, REFRESH_QUEUED) else 200
    return {"event_id": event["event_id"], "status": outcome}, status
