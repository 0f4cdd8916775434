"""The resident's access log in plain language: who looked at or changed what, when, and why."""

from __future__ import annotations

import datetime as dt

from services.models.audit import AuditEvent

STAFF_ROLES = {
    "support": "A support agent",
    "supervisor": "A support supervisor",
    "admin": "A system administrator",
}

ACTIONS = {
    "resident.lookup": "looked up your account",
    "resident.read": "viewed your account details (linked agencies, sharing choices, devices and sign-ins)",
    "resident.benefits.read": "viewed your benefits",
    "resident.notifications.read": "viewed your notifications and whether they reached your phone",
    "resident.resync": "refreshed your benefits from the agencies",
    "notification.resend": "sent one of your notifications to your phone again",
    "sessions.revoke": "signed you out on all your devices",
    "link.unlink": "removed the link to one of your agency records",
    "link.added_by_other": "linked one of your agency cases to their account",
    "audit.read": "reviewed who has looked at your account",
    "benefits.read": "read your benefits",
}


def describe_for_resident(event: AuditEvent) -> str:
    """One sentence a resident understands, e.g. "A support agent (Sophie) viewed your benefits on …"."""
    what = ACTIONS.get(event.action, "accessed your data") + _which(event)
    sentence = f"{_who(event)} {what} on {_when(event.occurred_at)}."
    if event.reason:
        sentence += f" Reason: {event.reason.strip().rstrip('.')}."
    if event.break_glass:
        sentence += (
            " This was an emergency access to data from an agency you had stopped sharing; it is flagged for review."
        )
    return sentence


def accessor(event: AuditEvent) -> dict[str, str | None]:
    """Who acted, as a resident is told: staff by role and given name (the full name stays in the audit
    row), apps by name."""
    if event.actor_kind == "staff":
        given_name = (event.actor_name or "").split(" ")[0] or None
        return {"kind": "staff", "name": given_name, "role": STAFF_ROLES.get(event.actor_role or "", "A staff member")}
    if event.actor_kind == "app":
        return {"kind": "app", "name": event.actor_name or event.actor_id, "role": None}
    return {"kind": event.actor_kind, "name": None, "role": None}


def _who(event: AuditEvent) -> str:
    who = accessor(event)
    if who["kind"] == "staff":
        return f"{who['role']} ({who['name']})" if who["name"] else str(who["role"])
    if who["kind"] == "app":
        return f"The app {who['name']}"
    if who["kind"] == "resident":
        return "Another account in the app"
    return "The Benefits Hub"


def _which(event: AuditEvent) -> str:
    """The agency a link event was about (``agency:<code>`` in its field groups), as " (DHS)"."""
    agencies = [field.partition(":")[2] for field in event.fields or () if field.startswith("agency:")]
    return f" ({', '.join(agencies)})" if event.action.startswith("link.") and agencies else ""


def _when(moment: dt.datetime) -> str:
    moment = moment.astimezone(dt.UTC)
    return f"{moment.day} {moment:%B %Y} at {moment:%H:%M} UTC"
