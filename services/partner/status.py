"""A partner notification's status, from what the dispatcher made of each recipient, and the callback each change
queues.

Per recipient the dispatcher records one outcome: ``delivered`` (the message is in their inbox), ``withheld``
(they do not share the agency), ``no_recipient`` (the resident is no longer there) or ``failed`` (the message
could not be made). The notification's status follows: ``delivered`` as soon as one inbox has it; ``accepted``
while any recipient is undecided; else ``withheld`` if consent kept any from it, ``no_recipient`` if nobody was
there, ``failed`` otherwise. Each change of status queues one signed callback (when the app registered a URL),
in the same transaction as the outcome, so a status is never reported that was not stored, nor stored unreported.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.models.partners import PartnerApp, PartnerCallback, PartnerNotification, PartnerRecipient
from services.partner.notifications import ACCEPTED, DELIVERED, FAILED, NO_RECIPIENT, WITHHELD, push_counts

PENDING = "pending"


@dataclasses.dataclass(frozen=True)
class Outcome:
    notification_id: str
    resident_id: str
    outcome: str  # delivered | withheld | no_recipient | failed
    message_id: str | None = None


def status_of(outcomes: Iterable[str]) -> str:
    outcomes = list(outcomes)
    if DELIVERED in outcomes:
        return DELIVERED
    if not outcomes or PENDING in outcomes:
        return ACCEPTED
    if WITHHELD in outcomes:
        return WITHHELD
    if all(outcome == NO_RECIPIENT for outcome in outcomes):
        return NO_RECIPIENT
    return FAILED


def record_outcomes(session: Session, outcomes: list[Outcome]) -> int:
    """Store ``outcomes`` in ``session`` (the dispatcher's batch) and queue a callback per status change; return
    how many callbacks were queued."""
    if not outcomes:
        return 0
    now = clock.now()
    ids = sorted({outcome.notification_id for outcome in outcomes})
    rows = {
        (row.notification_id, row.resident_id): row
        for row in session.scalars(select(PartnerRecipient).where(PartnerRecipient.notification_id.in_(ids)))
    }
    for outcome in outcomes:
        row = rows.get((outcome.notification_id, outcome.resident_id))
        if row is not None and row.outcome == PENDING:
            row.outcome, row.message_id, row.decided_at = outcome.outcome, outcome.message_id, now
    session.flush()
    by_notification: dict[str, list[str]] = {}
    for (notification_id, _resident), row in rows.items():
        by_notification.setdefault(notification_id, []).append(row.outcome)
    queued = 0
    for notification in session.scalars(select(PartnerNotification).where(PartnerNotification.id.in_(ids))):
        status = status_of(by_notification.get(notification.id, []))
        if status != notification.status:
            notification.status, notification.status_changed_at = status, now
            queued += queue_callback(session, notification)
    return queued


def callback_body(session: Session, notification: PartnerNotification) -> dict:
    """What a callback says: the notification's status as ``GET /v1/partner/notifications/{id}`` tells it."""
    counts = push_counts(session, [notification.id]).get(notification.id)
    return {
        "type": "notification.status",
        "notification_id": notification.id,
        "reference": notification.reference,
        "status": notification.status,
        "pushes": counts.as_dict() if counts else {"sent": 0, "failed": 0, "pending": 0, "cancelled": 0},
        "created_at": notification.created_at.isoformat(),
        "status_changed_at": notification.status_changed_at.isoformat(),
    }


def queue_callback(session: Session, notification: PartnerNotification) -> int:
    app = session.get(PartnerApp, notification.client_id)
    if app is None or not app.callback_url:
        return 0
    body = json.dumps(callback_body(session, notification), separators=(",", ":"), sort_keys=True)
    session.add(PartnerCallback(client_id=app.client_id, notification_id=notification.id, body=body))
    return 1
