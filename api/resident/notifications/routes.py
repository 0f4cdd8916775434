"""The inbox (``/v1/me/notifications``) and notification preferences (``/v1/me/notification-preferences``).

The inbox's first page (no query, or a plain ``limit``) is read in one statement (``inbox.inbox_first_page``) and
answered as the page schema dumps it, without running it; a cursor or anything else takes the documented
page route. ``tests/resident/test_inbox_lean.py`` holds the two to the same bytes.
"""

from __future__ import annotations

import functools

from flask import current_app, request

from api.auth.principal import current_principal
from api.database import db, read_connection
from api.extension import Blueprint
from api.pages import ListPage, first_page_limit, page_meta
from api.resident.notifications.schemas import InboxMeta, NotificationSchema, PreferencesSchema
from notifications import inbox, preferences
from notifications.rules import CATEGORIES
from services.models.identity import Resident
from services.vocabulary import zone_or_state

blp = Blueprint("notifications", __name__, url_prefix="/v1/me", description="The inbox and notification preferences")


def first_page_lean(view):
    """Answer the inbox's first page from one statement, before the query is parsed; anything else goes on."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        limit = first_page_limit(request.args)
        if limit is None:
            return view(*args, **kwargs)
        page = inbox.inbox_first_page(read_connection(), current_principal().resident_id, limit=limit)
        meta = page_meta(page.next_after, unread_count=page.unread_count)
        return current_app.json.response({"data": [_shown(row) for row in page.items], "meta": meta})

    return wrapper


def _shown(row) -> dict:
    """A message as ``NotificationSchema`` dumps it."""
    return {
        "id": row.id,
        "category": row.category,
        "title": row.title,
        "body": row.body,
        "locale": row.locale,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at is not None else None,
        "benefit_id": row.benefit_id,
        "agency": row.agency,
        "urgent": bool(row.urgent),
        "represented_id": row.designation_id,
    }


@blp.route("/notifications", methods=["GET"])
@blp.resident()
@first_page_lean
@blp.paginated(NotificationSchema, meta=InboxMeta)
def list_notifications(args: dict):
    """Every message the resident was sent, newest first, with the unread count."""
    resident_id = current_principal().resident_id
    session = db()
    page = inbox.inbox_page(session, resident_id, limit=args["limit"], after=args["after"])
    return ListPage.of(page, unread_count=inbox.unread_count(session, resident_id))


@blp.route("/notifications/<string:message_id>/read", methods=["POST"])
@blp.resident()
@blp.response(200, NotificationSchema)
@blp.alt_response(404, description="No such notification of this resident")
def mark_read(message_id: str):
    """Mark one message read; marking it again keeps the first read time."""
    session = db()
    message = inbox.mark_read(session, current_principal().resident_id, message_id)
    session.commit()
    return message


@blp.route("/notification-preferences", methods=["GET"])
@blp.resident()
@blp.response(200, PreferencesSchema)
def get_preferences():
    """Which categories push, quiet hours in the resident's time zone, and lock-screen detail."""
    resident_id = current_principal().resident_id
    return _present(preferences.preferences_for(db(), resident_id), resident_id)


@blp.route("/notification-preferences", methods=["PUT"])
@blp.resident()
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(body: dict):
    """Change preferences; fields left out keep their value, ``quiet_hours: null`` switches them off.
    A disabled category still reaches the inbox; it only stops pushing."""
    resident_id = current_principal().resident_id
    changes = {}
    if "categories" in body:
        changes["categories"] = {name: value["enabled"] for name, value in body["categories"].items()}
    if "quiet_hours" in body:
        hours = body["quiet_hours"]
        changes["quiet_hours"] = (hours["start"], hours["end"]) if hours else None
    if "detailed_previews" in body:
        changes["detailed_previews"] = body["detailed_previews"]
    updated = preferences.update_preferences(db(), resident_id, **changes)
    return _present(updated, resident_id)


def _present(prefs: preferences.Preferences, resident_id: str) -> dict:
    quiet = None
    if prefs.quiet_hours:
        resident = db().get(Resident, resident_id)
        quiet = {
            "start": prefs.quiet_hours[0],
            "end": prefs.quiet_hours[1],
            "time_zone": zone_or_state(resident.time_zone if resident else None).key,
        }
    return {
        "categories": {name: {"enabled": prefs.pushes(name)} for name in CATEGORIES},
        "quiet_hours": quiet,
        "detailed_previews": prefs.detailed_previews,
    }
