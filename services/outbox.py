"""The outbox: the domain events the hub writes in the same transaction as the change that caused them, and the
one way to write them (``write_events``). The table is ``services.models.outbox.OutboxEvent``.

Its one reader is the dispatcher, ``notifications/dispatch.py``: unprocessed rows in ``id`` order become inbox
messages and push deliveries (``notifications/rules.py`` says which). Its producers:

- sync (``services/benefits/store.py``, from the pure diff in ``services/benefits/snapshot_diff.py``): what a
  change to a resident's benefits means, written with the snapshot it came with;
- the reminder scan (``services/benefits/reminders.py``): reminders that fall due, one per threshold;
- linking (``services/identity/link_notices.py``): a case of the resident's linked to another account;
- partner apps (``services/partner/notifications.py``): a program message from an agency system.

Every event carries a dedupe key built from what happened (never from when the hub noticed), and the key is
unique in the table, so the same change seen twice (a pull and a pushed event, a redelivered event, two
scans) is written once. A payload is plain JSON (ids, codes, dates as ISO strings, amounts in integer cents):
never names, addresses or other personal data, because outbox rows outlive the snapshot they describe.

Every benefit event's payload carries ``benefit_id``, ``agency`` and ``program_code``. The extra keys per type:

- ``benefit.status_changed``: ``old_status`` (None for a new record), ``new_status``, ``status_reason``.
- ``action.requested``: ``action_id``, ``kind`` (``document|interview|renewal|report_change``), ``due_on``,
  ``title`` (plain-language, e.g. "Proof of income"), ``scheduled_at`` (interviews: ISO datetime or None).
- ``action.updated``: same keys as ``action.requested`` plus ``old_state`` and ``state``
  (``open|done|missed|overdue|cancelled``). A missed interview is ``state == "missed"``.
- ``benefit.renewal_due_set``: ``renewal_due_on`` (and ``old_renewal_due_on``).
- ``payment.issued``: ``payment_id``, ``cents``, ``currency``, ``paid_on``.
- ``notice.posted``: ``notice_id``, ``title``, ``posted_on``.

Scheduled reminders (a dedupe key per threshold):

- ``reminder.renewal_due``: ``renewal_due_on``, ``days_left`` (30, 14 or 3).
- ``reminder.document_due``: ``action_id``, ``due_on``, ``days_left`` (7 or 1), ``title``.
- ``reminder.interview_tomorrow``: ``action_id``, ``scheduled_at``, ``title``.

A resident's upload (``services/documents/decisions.py``), a benefit event:

- ``document.status_changed``: ``document_id``, ``action_id``, ``title`` (the action's), ``status``
  (``received|accepted|rejected``), ``document_reason`` (a code of ``services/documents/decisions.py`` when
  rejected), ``tracking_number``, ``receipt_number``.

An urgent nudge's push (``services/nudges/pushes.py``), a benefit event:

- ``nudge.urgent``: ``nudge_id``, ``kind`` (an urgent kind of ``services/nudges/rules.py``), ``category`` (the
  notification category it pushes in), ``due_on`` (ISO date or None).

Account events are about the resident's account, not one benefit (no ``benefit_id``, ``agency`` or
``program_code``, so no agency's consent withholds them):

- ``link.added_elsewhere``: one of the resident's agency cases was just linked to *another* hub account:
  ``link_id``, ``linked_agency``, ``linked_on`` (ISO date), ``method``.

Partner messages carry ids only (the partner's texts stay on its ``partner_notifications`` row, where the
dispatcher reads them), and their ``agency``, so the resident's consent for that agency decides as for any event:

- ``partner.message``: ``partner_notification_id``, ``client_id``, ``agency``, ``category``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.db import dialect_insert
from services.models.outbox import OutboxEvent

BENEFIT_STATUS_CHANGED = "benefit.status_changed"
ACTION_REQUESTED = "action.requested"
ACTION_UPDATED = "action.updated"
RENEWAL_DUE_SET = "benefit.renewal_due_set"
PAYMENT_ISSUED = "payment.issued"
NOTICE_POSTED = "notice.posted"
REMINDER_RENEWAL_DUE = "reminder.renewal_due"
REMINDER_DOCUMENT_DUE = "reminder.document_due"
REMINDER_INTERVIEW_TOMORROW = "reminder.interview_tomorrow"
LINK_ADDED_ELSEWHERE = "link.added_elsewhere"
DOCUMENT_STATUS_CHANGED = "document.status_changed"
PARTNER_MESSAGE = "partner.message"
NUDGE_URGENT = "nudge.urgent"

ALL_TYPES = frozenset(
    {
        BENEFIT_STATUS_CHANGED,
        ACTION_REQUESTED,
        ACTION_UPDATED,
        RENEWAL_DUE_SET,
        PAYMENT_ISSUED,
        NOTICE_POSTED,
        REMINDER_RENEWAL_DUE,
        REMINDER_DOCUMENT_DUE,
        REMINDER_INTERVIEW_TOMORROW,
        LINK_ADDED_ELSEWHERE,
        DOCUMENT_STATUS_CHANGED,
        PARTNER_MESSAGE,
        NUDGE_URGENT,
    }
)


@dataclasses.dataclass(frozen=True)
class DomainEvent:
    """One event for the outbox: its ``type`` (above), JSON ``payload`` and ``dedupe_key``."""

    type: str
    payload: dict[str, Any]
    dedupe_key: str


def write_events(session: Session, resident_id: str, events: Iterable[DomainEvent]) -> int:
    """Insert each event unless its dedupe key is already in the outbox, in the caller's transaction; return how
    many were written.

    ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL) keeps a concurrent writer of the same change
    from failing the whole snapshot transaction.
    """
    rows = [
        {
            "resident_id": resident_id,
            "agency": event.payload.get("agency"),
            "benefit_id": event.payload.get("benefit_id"),
            "type": event.type,
            "payload": event.payload,
            "dedupe_key": event.dedupe_key,
            "created_at": clock.now(),
            "attempts": 0,
        }
        for event in events
    ]
    if not rows:
        return 0
    insert = dialect_insert(session)
    written = 0
    for row in rows:  # one statement per event: a handful per change, and rowcount stays exact
        result = session.execute(
            insert(OutboxEvent).values(**row).on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        written += result.rowcount or 0
    return written


@dataclasses.dataclass(frozen=True)
class Backlog:
    """Events written but not yet dispatched: how many, how old the oldest is, how many were tried and failed."""

    events: int
    oldest_seconds: float | None
    retried: int


def backlog(session: Session) -> tuple[Backlog, dict[str, Backlog]]:
    """The outbox's backlog in all, and per event type (``flask outbox status``): one grouped query on the
    pending index. An old oldest event means the dispatcher is not running or keeps failing on it."""
    now = clock.now()
    rows = session.execute(
        select(
            OutboxEvent.type,
            func.count(),
            func.min(OutboxEvent.created_at),
            func.count().filter(OutboxEvent.attempts > 0),
        )
        .where(OutboxEvent.processed_at.is_(None))
        .group_by(OutboxEvent.type)
        .order_by(OutboxEvent.type)
    ).all()
    per_type = {kind: Backlog(count, _age(now, oldest), retried) for kind, count, oldest, retried in rows}
    ages = [entry.oldest_seconds for entry in per_type.values() if entry.oldest_seconds is not None]
    total = Backlog(
        sum(entry.events for entry in per_type.values()),
        max(ages) if ages else None,
        sum(entry.retried for entry in per_type.values()),
    )
    return total, per_type


def _age(now: Any, oldest: Any) -> float | None:
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # SQLite hands datetimes back without their zone; the hub writes UTC
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - oldest).total_seconds())
