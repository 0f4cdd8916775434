"""``/v1/admin/partner-apps``: admins suspend, reinstate and re-key partner apps; supervisors list them; support
reads an app's messages with their recipients and deliveries (with a stated reason: they are residents' messages).
Every call is audited (``@staff_access``); a change commits with its audit event. Apps are registered with
``flask apps add-partner`` (it prints the callback secret once)."""

from __future__ import annotations

import marshmallow as ma

from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import MANAGE_APPS, READ_PARTNER_APPS, READ_PARTNER_MESSAGES
from api.current_hub import current_hub
from api.database import db
from api.fields import JsonDocument, Text
from api.pages import ListPage
from api.partner.presenters import notification_statuses
from api.partner.schemas import NotificationStatusSchema
from services.errors import InvalidInput
from services.models.partners import PartnerApp
from services.partner import apps
from services.partner.notifications import notifications_page, recipients_of

blp = AdminBlueprint(
    "admin-partner-apps", __name__, url_prefix="/v1/admin", description="Support staff: partner apps (audited)"
)


class PartnerAppSchema(ma.Schema):
    client_id = ma.fields.String(required=True, metadata={"example": "sandbox-partner-dhs"})
    agency = ma.fields.String(required=True, metadata={"example": "DHS"})
    name = ma.fields.String(required=True)
    scopes = ma.fields.List(ma.fields.String(), required=True)
    jwks_url = ma.fields.String(allow_none=True)
    key_ids = ma.fields.List(
        ma.fields.String(), metadata={"description": "kid of each inline key (empty for keys by URL)"}
    )
    callback_url = ma.fields.String(allow_none=True)
    suspended = ma.fields.Boolean(required=True)
    keys_updated_at = ma.fields.AwareDateTime()
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class PartnerAppListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(PartnerAppSchema), required=True)


class AgencyArgs(ma.Schema):
    agency = Text(load_default=None, validate=ma.validate.Length(min=2, max=8))


class RekeySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    jwks = JsonDocument(load_default=None, metadata={"description": "The new public keys, inline"})
    jwks_url = Text(load_default=None, validate=ma.validate.Length(min=8, max=2000))


class RecipientSchema(ma.Schema):
    resident_id = ma.fields.String(required=True)
    outcome = ma.fields.String(required=True, metadata={"description": "pending, delivered, withheld, …"})
    message_id = ma.fields.String(allow_none=True, metadata={"description": "Their inbox message (and deliveries)"})
    decided_at = ma.fields.AwareDateTime(allow_none=True)


class StaffPartnerNotificationSchema(NotificationStatusSchema):
    recipients = ma.fields.List(ma.fields.Nested(RecipientSchema), required=True)


def _app(app: PartnerApp) -> dict:
    keys = (app.jwks or {}).get("keys", [])
    return {
        **{name: getattr(app, name) for name in PartnerAppSchema().fields if hasattr(app, name)},
        "key_ids": [key.get("kid") for key in keys if key.get("kid")],
    }


@blp.route("/partner-apps")
@blp.staff_access(READ_PARTNER_APPS, "partner_app.list", fields=("partner_apps",), reason=False)
@blp.arguments(AgencyArgs, location="query")
@blp.response(200, PartnerAppListSchema)
def list_partner_apps(args: dict, access: StaffAccess):
    """Every partner app (or one agency's), with its scopes, key ids and whether it is suspended."""
    return {"data": [_app(app) for app in apps.partner_apps(db(), agency=args["agency"])]}


def _changed(access: StaffAccess, client_id: str, change: str) -> None:
    access.fields = [f"partner_app:{client_id}", f"change:{change}"]


@blp.route("/partner-apps/<client_id>/suspend", methods=["POST"])
@blp.staff_access(MANAGE_APPS, "partner_app.suspend", reason=False)
@blp.response(200, PartnerAppSchema)
@blp.alt_response(404, description="No such partner app")
def suspend(client_id: str, access: StaffAccess):
    """Suspend the app: its tokens stop working on their next request and it gets no new ones."""
    _changed(access, client_id, "suspended")
    return _app(apps.set_suspended(db(), client_id, True))


@blp.route("/partner-apps/<client_id>/unsuspend", methods=["POST"])
@blp.staff_access(MANAGE_APPS, "partner_app.unsuspend", reason=False)
@blp.response(200, PartnerAppSchema)
@blp.alt_response(404, description="No such partner app")
def unsuspend(client_id: str, access: StaffAccess):
    """Reinstate a suspended app."""
    _changed(access, client_id, "unsuspended")
    return _app(apps.set_suspended(db(), client_id, False))


@blp.route("/partner-apps/<client_id>/keys", methods=["PUT"])
@blp.staff_access(MANAGE_APPS, "partner_app.rekey", reason=False)
@blp.arguments(RekeySchema)
@blp.response(200, PartnerAppSchema)
@blp.alt_response(404, description="No such partner app")
def rekey(body: dict, client_id: str, access: StaffAccess):
    """Replace the app's public keys (`jwks` inline or `jwks_url`): assertions signed by old keys stop verifying."""
    if body["jwks"] is not None and body["jwks_url"] is not None:
        raise InvalidInput("Give jwks or jwks_url, not both.", errors={"jwks": ["One of jwks, jwks_url."]})
    _changed(access, client_id, "keys")
    app = apps.rekey(
        db(),
        client_id,
        jwks=body["jwks"],
        jwks_url=body["jwks_url"],
        allow_http=not current_hub().settings.is_production,
    )
    if app.jwks_url:
        current_hub().partner_keys.forget(app.jwks_url)
    return _app(app)


@blp.route("/partner-apps/<client_id>/notifications")
@blp.staff_access(READ_PARTNER_MESSAGES, "partner_app.notifications.read", fields=("notifications", "deliveries"))
@blp.paginated(StaffPartnerNotificationSchema)
@blp.alt_response(404, description="No such partner app")
def partner_app_notifications(args: dict, client_id: str, access: StaffAccess):
    """The app's messages, newest first, each with its status, push counts and recipients (resident id, outcome,
    inbox message id: `GET /v1/admin/residents/{id}/notifications` shows that message's every delivery)."""
    session = db()
    app = apps.partner_app(session, client_id)
    page = notifications_page(session, app, reference=None, since=None, limit=args["limit"], after=args["after"])
    recipients = recipients_of(session, [n.id for n in page.items])
    access.about(*sorted({r.resident_id for rows in recipients.values() for r in rows}))
    statuses = notification_statuses(session, page.items)
    return ListPage.of(page, items=[{**status, "recipients": recipients[status["id"]]} for status in statuses])
