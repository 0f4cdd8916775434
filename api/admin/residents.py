"""Support staff reading a resident: exact-match lookup, the overview, benefits as the resident sees them,
and notifications with every delivery attempt. Every call needs ``X-Access-Reason`` and is audited."""

from __future__ import annotations

from api.admin.schemas import (
    ResidentDetailSchema,
    ResidentLookupArgs,
    ResidentSummarySchema,
    StaffBenefitArgs,
    StaffBenefitListSchema,
    StaffNotificationSchema,
    StaffNotificationsMeta,
)
from api.admin.staff_access import AdminBlueprint, StaffAccess
from api.auth.permissions import READ_RESIDENTS
from api.current_hub import current_hub
from api.database import db
from api.pages import ListPage, PageArgs, decode_cursor
from api.request_context import arrived_at
from api.resident.benefits import presenters
from notifications.inbox import messages_with_deliveries
from services import support
from services.benefits.reads import resident_benefits
from services.partner.notifications import senders_of
from services.visibility import visibility_of

blp = AdminBlueprint(
    "admin-residents", __name__, url_prefix="/v1/admin", description="Support staff: residents (reasons required)"
)


@blp.route("/residents")
@blp.staff_access(READ_RESIDENTS, "resident.lookup")
@blp.arguments(ResidentLookupArgs, location="query")
@blp.paginated(ResidentSummarySchema, args=None)
def lookup(args, access: StaffAccess):
    """Find a resident by exactly one of email, phone or case number, matched exactly; no browsing."""
    (matched_by,) = [name for name in ("email", "phone", "case_number") if args.get(name)]
    residents = support.find_residents(db(), current_hub().lookup_hasher, **{matched_by: args[matched_by]})
    access.fields = [f"lookup:{matched_by}", "name"]
    access.about(*[resident.id for resident in residents])
    data = [
        {"id": r.id, "name": r.name, "identity_verified": r.identity_verified, "matched_by": matched_by}
        for r in residents
    ]
    return ListPage(data)


@blp.route("/residents/<resident_id>")
@blp.staff_access(
    READ_RESIDENTS, "resident.read", fields=("profile", "links", "consents", "devices", "sessions", "sync")
)
@blp.response(200, ResidentDetailSchema)
def resident_detail(resident_id: str, access: StaffAccess):
    """The resident with links, consents, devices, recent sessions and sync state per linked agency."""
    overview = support.resident_overview(current_hub().settings, db(), resident_id)
    resident = overview.resident
    return {
        "id": resident.id,
        "name": resident.name,
        "email": resident.email,
        "locale": resident.locale,
        "identity_verified": resident.identity_verified,
        "created_at": resident.created_at,
        "links": [
            {
                **_columns(link, "id", "agency", "method", "proof", "linked_at"),
                "shared": overview.visibility.shares(link.agency),
            }
            for link in overview.links
        ],
        "consents": overview.consents,
        "devices": overview.devices,
        "sessions": overview.sessions,
        "sync": overview.sync,
    }


@blp.route("/residents/<resident_id>/benefits")
@blp.staff_access(READ_RESIDENTS, "resident.benefits.read", fields=("benefits",), break_glass=True)
@blp.arguments(StaffBenefitArgs, location="query")
@blp.response(200, StaffBenefitListSchema)
def resident_benefit_list(args, resident_id: str, access: StaffAccess):
    """What the resident sees (same service as ``GET /v1/me/benefits``). Agencies the resident stopped sharing
    stay hidden; a supervisor sending ``X-Break-Glass: true`` sees their stored copy too, flagged for review."""
    session = db()
    support.resident_or_404(session, resident_id)
    view = resident_benefits(
        current_hub(),
        session,
        resident_id,
        refresh=args["refresh"],
        limit=args["limit"],
        after=decode_cursor(args["cursor"]),
        arrived_at=arrived_at(),
    )
    locale = presenters.read_locale(view.resident.locale)
    withheld = visibility_of(session, resident_id).withheld_linked
    meta = presenters.meta(view.sources, locale, verified=view.verified, next_after=view.next_after)
    body = {
        "data": [
            presenters.benefit(b, view.actions.get(b.id, []), view.as_of(b.agency), locale) for b in view.benefits
        ],
        "meta": {**meta, "withheld_agencies": withheld},
        "break_glass": None,
    }
    if access.break_glass and withheld and args["cursor"] is None:
        body["break_glass"] = _break_glass_benefits(resident_id, locale)
        access.fields = ["benefits", *(f"break_glass:{agency}" for agency in withheld)]
    return body


def _break_glass_benefits(resident_id: str, locale: str) -> dict:
    hidden = support.withheld_benefits(current_hub().settings, db(), resident_id)
    as_of = {state.agency: state.as_of for state in hidden.sync}
    return {
        "agencies": hidden.agencies,
        "data": [
            presenters.benefit(b, hidden.actions.get(b.id, []), as_of.get(b.agency), locale) for b in hidden.benefits
        ],
        "sources": hidden.sync,
    }


@blp.route("/residents/<resident_id>/notifications")
@blp.staff_access(
    READ_RESIDENTS, "resident.notifications.read", fields=("notifications", "deliveries"), break_glass=True
)
@blp.arguments(PageArgs, location="query")
@blp.paginated(StaffNotificationSchema, meta=StaffNotificationsMeta, args=None)
def resident_notifications(args, resident_id: str, access: StaffAccess):
    """The resident's messages, newest first, each with every delivery attempt (round, device, state, error).
    Messages from agencies the resident stopped sharing are withheld unless a supervisor breaks glass."""
    session = db()
    support.resident_or_404(session, resident_id)  # before the cursor: an unknown resident is a 404 whatever it says
    items, next_after = messages_with_deliveries(
        session, resident_id, limit=args["limit"], after=decode_cursor(args["cursor"])
    )
    visibility = visibility_of(session, resident_id)
    shown = [item for item in items if visibility.shares(item.message.agency) or access.break_glass]
    revealed = sorted({item.message.agency for item in shown if not visibility.shares(item.message.agency)})
    if revealed:
        access.fields = [*access.fields, *(f"break_glass:{agency}" for agency in revealed)]
    senders = senders_of(session, [item.message.id for item in shown])
    data = [
        {**_message(item.message), "deliveries": item.deliveries, "sent_by": senders.get(item.message.id)}
        for item in shown
    ]
    return ListPage(data, next_after, {"withheld": len(items) - len(shown)})


def _columns(row, *names: str) -> dict:
    return {name: getattr(row, name) for name in names}


MESSAGE_FIELDS = (
    "id",
    "category",
    "title",
    "body",
    "locale",
    "created_at",
    "read_at",
    "benefit_id",
    "agency",
    "urgent",
)


def _message(message) -> dict:
    return _columns(message, *MESSAGE_FIELDS)
