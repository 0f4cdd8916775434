"""What becomes of an accepted platform event whose application fails (a poison event): it is tried again with
backoff, and after ``platform_event_attempts`` tries it is set aside and its record refreshed from the platform.

Decisions:

- **Counted in the batch's transaction.** The event's savepoint has rolled back; its inbox row is updated after
  it, in the same transaction (``attempts`` + 1, ``next_attempt_at``, ``last_error``), in a savepoint of its own:
  a separate transaction would wait for the drain's own lock on the row (PostgreSQL's ``FOR UPDATE``, SQLite's
  one writer). If that update itself fails, it is logged and the batch goes on (the event is not counted this
  time; the drain leaves its record out until it ends). If the batch's commit fails, nothing of it is kept,
  the counts neither: the failure was the batch's (its render), not the event's, and all of it is tried again.
- **Backoff.** ``BACKOFF_SECONDS`` after the first failure, doubled after each one, at most
  ``BACKOFF_CAP_SECONDS``: with 8 attempts an event is set aside about ten minutes after its first failure (5,
  10, 20, 40, 80, 160 and 300 s apart; the periodic sweep, every 5 s, picks up what became due). Meanwhile its
  record's later events wait behind it (``blocked``), so a record is never applied out of order; the other
  records' events go on.
- **Set aside** after the last attempt: ``set_aside_at`` is stamped and the row stays (support and ops read it;
  ``prune_processed_events`` removes it with the processed ids of the same age). It no longer blocks: the
  record's later events are applied in the same batch. Because the platform is the source of truth, a refresh
  of the record is queued (``benefits.refresh_source`` for every linked resident, as an unreadable pushed copy
  does), so the resident's view converges on what the event would have shown. If the broker will not take the
  refresh, the event is not set aside but waits once more (``QueueUnavailable`` is not counted as anything
  else): setting it aside without its refresh could leave the resident's view behind for good. A redelivery of
  a set-aside event's id answers ``duplicate`` (its row is still in the inbox) until it is pruned.
- **What is kept of the error:** its class name only (``last_error``, and in the log line of each failure with
  the event id, agency and attempt number), never its message or traceback (the message may quote the
  document, so personal data; the document itself stays in the row, so a developer can reproduce the failure). Set-aside events are counted in ``hub_platform_events_set_aside_total{agency}``
  and logged with the event id and agency only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from sqlalchemy import ColumnElement, and_, exists, update
from sqlalchemy.orm import Session, aliased

from services import clock
from services.benefits.platform_events import queue_pulls, record_links
from services.errors import QueueUnavailable
from services.hub import Hub
from services.metrics import instruments
from services.models.benefits import PlatformEventInbox

BACKOFF_SECONDS = 5
BACKOFF_CAP_SECONDS = 300

log = logging.getLogger("hub.platform_events")


@dataclasses.dataclass(frozen=True)
class Attempt:
    """What the drain knew of an inbox row before it tried it (the row's attributes expire when its savepoint
    rolls back)."""

    event_id: str
    agency: str
    record_id: str
    attempts: int

    @classmethod
    def of(cls, row: PlatformEventInbox) -> Attempt:
        return cls(row.event_id, row.agency, row.record_id, row.attempts or 0)


def backoff(attempts: int) -> dt.timedelta:
    """How long an event that has failed ``attempts`` times waits before its next try."""
    return dt.timedelta(seconds=min(BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS))


def claimable(now: dt.datetime) -> ColumnElement[bool]:
    """Inbox rows the drain may claim at ``now``: not set aside, and no event of their record (the row itself
    included) waiting for its next attempt."""
    waiting = aliased(PlatformEventInbox)
    blocked = exists().where(
        waiting.agency == PlatformEventInbox.agency,
        waiting.record_id == PlatformEventInbox.record_id,
        waiting.set_aside_at.is_(None),
        waiting.next_attempt_at > now,
    )
    return and_(PlatformEventInbox.set_aside_at.is_(None), ~blocked)


def record_failure(hub: Hub, session: Session, attempt: Attempt, error: Exception) -> bool:
    """Count ``attempt``'s failure on its row, in the batch's transaction; whether the event was set aside (its
    record's later events may then be applied). A failure to count it is logged and answered ``False``."""
    attempts, error_class = attempt.attempts + 1, type(error).__name__[:64]
    log.warning(
        "platform event could not be applied",
        extra={"event_id": attempt.event_id, "agency": attempt.agency, "error": error_class, "attempt": attempts},
    )
    now = clock.now()
    values = {"attempts": attempts, "last_error": error_class}
    try:
        with session.begin_nested():
            set_aside = attempts >= hub.settings.platform_event_attempts and _queue_refresh(hub, session, attempt)
            if set_aside:
                values |= {"set_aside_at": now, "next_attempt_at": None}
            else:
                values["next_attempt_at"] = now + backoff(attempts)
            session.execute(
                update(PlatformEventInbox).where(PlatformEventInbox.event_id == attempt.event_id).values(**values)
            )
    except Exception:
        log.exception("a failed platform event's attempt could not be counted", extra={"event_id": attempt.event_id})
        return False
    return set_aside


def counted_set_aside(attempts: list[Attempt]) -> None:
    """After the commit: the metric and a log line for each event set aside (its id and agency only)."""
    for attempt in attempts:
        instruments.platform_events_set_aside.labels(attempt.agency).inc()
        log.warning(
            "platform event set aside after its last attempt; its record's refresh is queued",
            extra={"event_id": attempt.event_id, "agency": attempt.agency},
        )


def _queue_refresh(hub: Hub, session: Session, attempt: Attempt) -> bool:
    """Queue a pull of the record for every resident linked to it; ``False`` when the broker would not take it."""
    try:
        queue_pulls(hub, record_links(session, attempt.agency, attempt.record_id), attempt.agency)
    except QueueUnavailable:
        log.warning("a poison event's refresh could not be queued; it waits", extra={"event_id": attempt.event_id})
        return False
    return True
