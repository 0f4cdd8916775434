"""The catalogue of domain events the hub writes to its outbox.

Sync writes these in the same transaction as the snapshot change that caused them; notification rules
read them. An event's payload is plain JSON (ids, codes, dates as ISO strings, amounts in integer cents):
never names, addresses or other personal data, because outbox rows outlive the snapshot they describe.

Every payload carries ``benefit_id``, ``agency`` and ``program_code``. The extra keys per type:

- ``benefit.status_changed``: ``old_status`` (None for a new record), ``new_status``, ``status_reason``.
- ``action.requested``: ``action_id``, ``kind`` (``document|interview|renewal|report_change``), ``due_on``,
  ``title`` (plain-language, e.g. "Proof of income"), ``scheduled_at`` (interviews: ISO datetime or None).
- ``action.updated``: same keys as ``action.requested`` plus ``old_state`` and ``state``
  (``open|done|missed|overdue|cancelled``). A missed interview is ``state == "missed"``.
- ``benefit.renewal_due_set``: ``renewal_due_on`` (and ``old_renewal_due_on``).
- ``payment.issued``: ``payment_id``, ``cents``, ``currency``, ``paid_on``.
- ``notice.posted``: ``notice_id``, ``title``, ``posted_on``.

Scheduled reminders are produced by the reminder scan, not by sync, with a dedupe key per threshold:

- ``reminder.renewal_due``: ``renewal_due_on``, ``days_left`` (30, 14 or 3).
- ``reminder.document_due``: ``action_id``, ``due_on``, ``days_left`` (7 or 1), ``title``.
- ``reminder.interview_tomorrow``: ``action_id``, ``scheduled_at``, ``title``.

Account events are about the resident's account, not one benefit (no ``benefit_id``, ``agency`` or
``program_code``, so no agency's consent withholds them):

- ``link.added_elsewhere``: one of the resident's agency cases was just linked to *another* hub account
  (``services/identity/link_notices.py``): ``link_id``, ``linked_agency``, ``linked_on`` (ISO date), ``method``.
"""

from __future__ import annotations

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
    }
)

RENEWAL_REMINDER_DAYS = (30, 14, 3)
DOCUMENT_REMINDER_DAYS = (7, 1)

AGENCIES = ("DHS", "HFS", "AGING", "DCEO", "DEC")

BENEFIT_STATUSES = (
    "applied",
    "pending",
    "action_needed",
    "approved",
    "active",
    "renewal_due",
    "suspended",
    "denied",
    "closed",
)
