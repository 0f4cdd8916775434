"""Rules: pure functions that turn one outbox event (``services/outbox.py``) into the messages it makes.

Which messages are urgent (they bypass quiet hours): the *last chance* before a resident loses a benefit for
paperwork, and a missed appointment that needs action now —

- a missed interview (``action.updated`` with ``state == "missed"``),
- the last renewal reminder (3 days left),
- the last document reminder (due tomorrow),
- the interview-tomorrow reminder (the only reminder an interview gets).

Everything else waits for the quiet window to end: a decision, a payment or a new notice read at 8 a.m. is
as useful as at 2 a.m., and the earlier reminders (renewal 30 and 14 days, document 7 days) have time to spare.

A case of the resident's linked to another account (``link.added_elsewhere``) is urgent too: if it was not
them, someone else may be reading their case now.

An urgent nudge's push (``nudge.urgent``) is not urgent here: it is a suggestion, and waits for quiet hours to end.

Uninteresting changes make no message: a new application (``applied``), ``pending``, ``renewal_due`` (the
renewal events speak for it), a status that did not change, ``active`` after ``approved``, cancelled or
merely re-opened actions, and reminder thresholds the scan does not use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from services import outbox
from services.benefits.reminders import DOCUMENT_REMINDER_DAYS, RENEWAL_REMINDER_DAYS
from services.nudges.rules import URGENT_KINDS

CATEGORIES = ("status", "documents", "interviews", "renewals", "notices", "payments", "account")


@dataclasses.dataclass(frozen=True)
class MessageSpec:
    """One message to render and deliver. ``params`` are raw values (codes, ISO dates, cents) for the template.

    ``dedupe_suffix`` names the message within its event; the dispatcher prefixes the resident and the event's
    dedupe key, so the same event processed twice makes the message once.
    """

    category: str
    template_key: str
    params: Mapping[str, Any]
    urgent: bool
    benefit_id: str | None
    dedupe_suffix: str
    agency: str | None = None

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown category {self.category!r}")


def messages_for(
    event_type: str, payload: Mapping[str, Any], *, agency: str | None = None, benefit_id: str | None = None
) -> list[MessageSpec]:
    """The messages one domain event makes: none, one, or (in principle) several."""
    rule = _RULES.get(event_type)
    if rule is None:
        return []
    context = _Event(
        payload=payload,
        agency=payload.get("agency") or agency,
        benefit_id=payload.get("benefit_id") or benefit_id,
    )
    return rule(context)


@dataclasses.dataclass(frozen=True)
class _Event:
    payload: Mapping[str, Any]
    agency: str | None
    benefit_id: str | None

    def spec(self, template_key: str, *keys: str, urgent: bool = False, suffix: str | None = None) -> MessageSpec:
        params = {"program_code": self.payload.get("program_code")}
        params.update({key: self.payload.get(key) for key in keys})
        return MessageSpec(
            category=template_key.partition(".")[0],
            template_key=template_key,
            params=params,
            urgent=urgent,
            benefit_id=self.benefit_id,
            dedupe_suffix=suffix or template_key,
            agency=self.agency,
        )


# -- status ------------------------------------------------------------------------------------------------
_STATUS_TEMPLATES = {
    "approved": "status.approved",
    "action_needed": "status.action_needed",
    "suspended": "status.suspended",
    "denied": "status.denied",
    "closed": "status.closed",
}
_NOW_ACTIVE_FROM = {
    None: "status.active",
    "applied": "status.active",
    "pending": "status.active",
    "action_needed": "status.active",
    "suspended": "status.reinstated",
    "renewal_due": "status.renewed",
}


def status_changed(event: _Event) -> list[MessageSpec]:
    old, new = event.payload.get("old_status"), event.payload.get("new_status")
    if old == new:
        return []
    template = _NOW_ACTIVE_FROM.get(old) if new == "active" else _STATUS_TEMPLATES.get(new)
    if template is None:
        return []
    return [event.spec(template, "old_status", "new_status")]


# -- actions: documents, interviews, renewal forms, changes to report --------------------------------------
def action_requested(event: _Event) -> list[MessageSpec]:
    kind, due_on = event.payload.get("kind"), event.payload.get("due_on")
    suffix = f"{kind}.requested"
    if kind == "document":
        template = "documents.requested" if due_on else "documents.requested_undated"
        return [event.spec(template, "action_id", "title", "due_on", suffix=suffix)]
    if kind == "interview":
        if event.payload.get("scheduled_at"):
            return [event.spec("interviews.scheduled", "action_id", "title", "scheduled_at", suffix=suffix)]
        return [event.spec("interviews.requested", "action_id", "title", suffix=suffix)]
    if kind == "renewal" and due_on:
        return [event.spec("renewals.requested", "action_id", "title", "due_on", suffix=suffix)]
    if kind == "report_change" and due_on:
        return [event.spec("documents.report_change", "action_id", "title", "due_on", suffix=suffix)]
    return []


def action_updated(event: _Event) -> list[MessageSpec]:
    kind, state = event.payload.get("kind"), event.payload.get("state")
    if state == event.payload.get("old_state"):
        return []
    suffix = f"{kind}.{state}"
    if kind == "interview" and state == "missed":
        return [event.spec("interviews.missed", "action_id", "title", "scheduled_at", urgent=True, suffix=suffix)]
    if kind == "document" and state == "done":
        return [event.spec("documents.received", "action_id", "title", suffix=suffix)]
    if kind == "document" and state == "overdue" and event.payload.get("due_on"):
        return [event.spec("documents.overdue", "action_id", "title", "due_on", suffix=suffix)]
    if kind == "renewal" and state == "overdue" and event.payload.get("due_on"):
        return [event.spec("renewals.overdue", "action_id", "title", "due_on", suffix=suffix)]
    return []


def document_status_changed(event: _Event) -> list[MessageSpec]:
    """An upload the agency acknowledged, accepted or rejected: one message per change (a rejection is not
    urgent: the resident has until the action's due date, whose own reminders start again)."""
    status = event.payload.get("status")
    if status not in ("received", "accepted", "rejected"):
        return []
    keys = ("document_id", "action_id", "title", "tracking_number", "receipt_number")
    if status == "rejected":
        keys = (*keys, "document_reason")
    suffix = f"document.{event.payload.get('document_id')}.{status}"
    return [event.spec(f"documents.upload_{status}", *keys, suffix=suffix)]


# -- renewals, notices, payments ---------------------------------------------------------------------------
def renewal_due_set(event: _Event) -> list[MessageSpec]:
    due_on = event.payload.get("renewal_due_on")
    if not due_on or due_on == event.payload.get("old_renewal_due_on"):
        return []
    return [event.spec("renewals.due_set", "renewal_due_on")]


def notice_posted(event: _Event) -> list[MessageSpec]:
    return [event.spec("notices.posted", "notice_id", "title", "posted_on")]


def payment_issued(event: _Event) -> list[MessageSpec]:
    return [event.spec("payments.issued", "payment_id", "cents", "currency", "paid_on")]


# -- scheduled reminders -----------------------------------------------------------------------------------
_URGENT_RENEWAL_DAYS = min(RENEWAL_REMINDER_DAYS)
_URGENT_DOCUMENT_DAYS = min(DOCUMENT_REMINDER_DAYS)


def renewal_reminder(event: _Event) -> list[MessageSpec]:
    days = event.payload.get("days_left")
    if days not in RENEWAL_REMINDER_DAYS:
        return []
    template = f"renewals.reminder_{days}"
    return [event.spec(template, "renewal_due_on", "days_left", urgent=days == _URGENT_RENEWAL_DAYS)]


def document_reminder(event: _Event) -> list[MessageSpec]:
    days = event.payload.get("days_left")
    if days not in DOCUMENT_REMINDER_DAYS:
        return []
    template = f"documents.reminder_{days}"
    return [event.spec(template, "action_id", "title", "due_on", "days_left", urgent=days == _URGENT_DOCUMENT_DAYS)]


def interview_tomorrow(event: _Event) -> list[MessageSpec]:
    if not event.payload.get("scheduled_at"):
        return []
    return [event.spec("interviews.tomorrow", "action_id", "title", "scheduled_at", urgent=True)]


# -- the account --------------------------------------------------------------------------------------------
def link_added_elsewhere(event: _Event) -> list[MessageSpec]:
    payload = event.payload
    if not payload.get("linked_agency") or not payload.get("linked_on"):
        return []
    return [
        MessageSpec(
            category="account",
            template_key="account.case_linked_elsewhere",
            params={"agency": payload["linked_agency"], "linked_on": payload["linked_on"]},
            urgent=True,
            benefit_id=None,
            dedupe_suffix="account.case_linked_elsewhere",
        )
    ]


# -- partner apps ------------------------------------------------------------------------------------------------
PARTNER_TEMPLATE = "partner.message"


def partner_message(event: _Event) -> list[MessageSpec]:
    """A partner app's program message: its texts are the partner's own (the dispatcher adds them to ``params``
    from the notification row), in the category the partner chose; never urgent (quiet hours hold it)."""
    payload = event.payload
    category = payload.get("category")
    if category not in CATEGORIES or category == "account" or not event.agency:
        return []  # never the hub's own account channel, and always an agency whose consent decides
    if not payload.get("partner_notification_id"):
        return []
    return [
        MessageSpec(
            category=payload["category"],
            template_key=PARTNER_TEMPLATE,
            params={"partner_notification_id": payload["partner_notification_id"]},
            urgent=False,
            benefit_id=None,
            dedupe_suffix=PARTNER_TEMPLATE,
            agency=event.agency,
        )
    ]


# -- nudges ---------------------------------------------------------------------------------------------------
NUDGE_TEMPLATES = "nudges"


def nudge_push(event: _Event) -> list[MessageSpec]:
    """An urgent nudge (``services/nudges/pushes.py``): in the category its rule names (so the resident's category
    switch applies), and not urgent here, so quiet hours hold its push until they end."""
    payload = event.payload
    kind, category = payload.get("kind"), payload.get("category")
    if kind not in URGENT_KINDS or category not in CATEGORIES or category == "account" or not event.agency:
        return []
    return [
        MessageSpec(
            category=category,
            template_key=f"{NUDGE_TEMPLATES}.{kind}",
            params={key: payload.get(key) for key in ("program_code", "due_on", "nudge_id")},
            urgent=False,
            benefit_id=event.benefit_id,
            dedupe_suffix="nudge",
            agency=event.agency,
        )
    ]


_RULES: dict[str, Callable[[_Event], list[MessageSpec]]] = {
    outbox.BENEFIT_STATUS_CHANGED: status_changed,
    outbox.ACTION_REQUESTED: action_requested,
    outbox.ACTION_UPDATED: action_updated,
    outbox.RENEWAL_DUE_SET: renewal_due_set,
    outbox.NOTICE_POSTED: notice_posted,
    outbox.PAYMENT_ISSUED: payment_issued,
    outbox.REMINDER_RENEWAL_DUE: renewal_reminder,
    outbox.REMINDER_DOCUMENT_DUE: document_reminder,
    outbox.REMINDER_INTERVIEW_TOMORROW: interview_tomorrow,
    outbox.LINK_ADDED_ELSEWHERE: link_added_elsewhere,
    outbox.DOCUMENT_STATUS_CHANGED: document_status_changed,
    outbox.PARTNER_MESSAGE: partner_message,
    outbox.NUDGE_URGENT: nudge_push,
}
