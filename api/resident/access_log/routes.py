"""``GET /v1/me/access-log``: who (which staff member, which app) read or changed the resident's data, when,
and the reason they gave, in plain language."""

from __future__ import annotations

from api.auth.principal import current_principal
from api.database import db
from api.extension import Blueprint
from api.pages import ListPage
from api.resident.access_log.schemas import AccessEntrySchema
from services.audit_queries import access_log_page
from services.audit_text import accessor, describe_for_resident, reader_of

blp = Blueprint("access-log", __name__, url_prefix="/v1/me", description="Who looked at the resident's data")


@blp.route("/access-log")
@blp.resident()
@blp.paginated(AccessEntrySchema)
def access_log(args):
    """Newest first: every access to this resident's data by staff, an app, or another account (one that linked
    a case of theirs) that the audit log recorded, told in the resident's language and time zone."""
    page = access_log_page(db(), current_principal().resident_id, limit=args["limit"], after=args["after"])
    reader = reader_of(db(), current_principal().resident_id)
    data = [
        {
            "id": event.id,
            "occurred_at": event.occurred_at,
            "who": accessor(event, reader),
            "action": event.action,
            "reason": event.reason,
            "break_glass": event.break_glass,
            "description": describe_for_resident(event, reader),
        }
        for event in page.items
    ]
    return ListPage.of(page, items=data)
