"""The platform's change events, accepted into a durable inbox and applied in background batches.

Decisions:

- **Accept** (``accept_events``): the request stores each event in ``platform_event_inbox`` in one short
  transaction (one ``SELECT`` of the ids already applied, one multi-row ``INSERT … ON CONFLICT DO NOTHING
  RETURNING``) and answers ``accepted`` (202) or ``duplicate`` (200, the id is waiting or was applied). Nothing
  of the record is looked at: links, snapshot diff, stored reads and outbox rows are the background's work, so a
  request costs a signature check, a parse and one insert whatever the event changes.
- **Apply** (``apply_accepted_events``): exactly ``apply_change_event``'s meaning (stale events change nothing,
  once per event id, outbox rows in the snapshot's transaction), one event per transaction, and the inbox row is
  deleted in that same transaction: a crash before the commit leaves the row to be applied again, a crash after
  leaves nothing to do. On PostgreSQL each row is claimed with ``FOR UPDATE SKIP LOCKED``, so several workers
  drain together without applying an event twice; on SQLite the in-process writer lock makes them take turns.
  Events are applied in the order they were received; one whose pull cannot be queued stays in the inbox.
- **When**: after a request accepted something, it submits ``benefits.apply_platform_events`` at most once per
  ``platform_events_drain_seconds`` per process (in-process thread pool or Celery); a drain keeps polling until
  the inbox has been empty for that long, so an event whose submission was skipped is picked up by the drain
  submitted just before it. The job is also periodic (ticker or beat) to sweep up what a dead worker left.
- A redelivery that arrives just as its event is applied may be accepted again; the drain then finds the id
  applied (``duplicate``) and only deletes the row.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import delete, select

from services.background import job
from services.benefits.platform_events import (
    DUPLICATE,
    ChangeEvent,
    after_commit,
    apply_in_session,
)
from services.benefits.store import write_session
from services.db import dialect_insert
from services.errors import QueueUnavailable
from services.hub import Hub
from services.models.benefits import PlatformEvent, PlatformEventInbox

ACCEPTED = "accepted"  # answered with 202; DUPLICATE with 200
BATCH = 100
SWEEP_SECONDS = 5
DRAIN_TURN_SECONDS = 5

_after_apply: list[Callable[[Hub], None]] = []
_last_submitted: dict[int, float] = {}
_submit_lock = threading.Lock()


def after_apply(callback: Callable[[Hub], None]) -> None:
    """Call ``callback(hub)`` after a drain applied events (the composition root queues the push dispatch, which
    services/ cannot import)."""
    _after_apply.append(callback)


def accept_events(hub: Hub, events: Sequence[ChangeEvent]) -> list[str]:
    """Store ``events`` in the inbox in one transaction; each answered ``accepted`` or ``duplicate``."""
    ids = [event.event_id for event in events]
    fresh = list({event.event_id: event for event in events}.values())  # the same id twice in one batch: once
    with write_session(hub.session_factory) as session:
        applied = set(session.scalars(select(PlatformEvent.event_id).where(PlatformEvent.event_id.in_(ids))))
        rows = [
            {
                "event_id": event.event_id,
                "agency": event.agency,
                "record_id": event.record_id,
                "occurred_at": event.occurred_at,
                "document": json.dumps(event.document, separators=(",", ":")),
            }
            for event in fresh
            if event.event_id not in applied
        ]
        inserted: set[str] = set()
        if rows:
            insert = dialect_insert(session)(PlatformEventInbox).on_conflict_do_nothing(index_elements=["event_id"])
            inserted = set(session.scalars(insert.returning(PlatformEventInbox.event_id), rows))
        session.commit()
    if inserted:
        request_drain(hub)
    answered: set[str] = set()
    statuses = []
    for event_id in ids:
        statuses.append(ACCEPTED if event_id in inserted and event_id not in answered else DUPLICATE)
        answered.add(event_id)
    return statuses


def request_drain(hub: Hub) -> None:
    """Submit the drain unless this process submitted one less than ``platform_events_drain_seconds`` ago."""
    now = time.monotonic()
    with _submit_lock:
        if now - _last_submitted.get(id(hub), float("-inf")) < hub.settings.platform_events_drain_seconds:
            return
        _last_submitted[id(hub)] = now
    if not hub.runner.submit(apply_platform_events_job):
        with _submit_lock:  # the broker did not take it: the next request tries again (and the sweep runs)
            _last_submitted.pop(id(hub), None)


def apply_accepted_events(hub: Hub, limit: int = BATCH) -> int:
    """Apply up to ``limit`` accepted events, oldest first; returns how many were taken out of the inbox."""
    candidates = _oldest(hub, limit)
    done = 0
    for event_id in candidates:
        with write_session(hub.session_factory) as session:
            claim = select(PlatformEventInbox).where(PlatformEventInbox.event_id == event_id)
            row = session.scalar(claim.with_for_update(skip_locked=True))
            if row is None:  # another worker holds it, or applied it already
                continue
            event = ChangeEvent(row.event_id, row.agency, row.record_id, row.occurred_at, json.loads(row.document))
            try:
                outcome, standing = apply_in_session(hub, session, event)
            except QueueUnavailable:  # its pull could not be queued: it stays for the next drain
                session.rollback()
                break
            session.execute(delete(PlatformEventInbox).where(PlatformEventInbox.event_id == event_id))
            session.commit()
        done += 1
        if outcome != DUPLICATE:
            after_commit(hub, event.agency, standing)
    if done:
        for callback in _after_apply:
            callback(hub)
    return done


def _oldest(hub: Hub, limit: int) -> list[str]:
    with hub.session() as session:
        oldest = select(PlatformEventInbox.event_id).order_by(
            PlatformEventInbox.received_at, PlatformEventInbox.event_id
        )
        return list(session.scalars(oldest.limit(limit)))


@job("benefits.apply_platform_events", every_seconds=SWEEP_SECONDS)
def apply_platform_events_job(hub: Hub) -> int:
    """Drain the inbox, then keep polling until it has been empty for ``platform_events_drain_seconds``. A drain
    works at most ``DRAIN_TURN_SECONDS`` and then submits its successor, so a worker (or a stopping process) is
    never held by a long backlog and a Celery task stays short."""
    linger = hub.settings.platform_events_drain_seconds
    started = time.monotonic()
    total, idle_since = 0, None
    while True:
        done = apply_accepted_events(hub)
        total += done
        now = time.monotonic()
        if done:
            idle_since = None
            if now - started >= DRAIN_TURN_SECONDS:
                hub.runner.submit(apply_platform_events_job)  # refused while stopping: the sweep catches up
                return total
            continue
        idle_since = now if idle_since is None else idle_since
        if now - idle_since >= linger:
            return total
        time.sleep(min(0.02, linger))
