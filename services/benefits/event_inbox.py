"""The platform's change events, accepted into a durable inbox and applied in background batches.

Decisions:

- **Accept** (``accept_events``): the request stores each event in ``platform_event_inbox`` in one short
  transaction (one ``SELECT`` of the ids already applied, one multi-row ``INSERT … ON CONFLICT DO NOTHING
  RETURNING``) and answers ``accepted`` (202) or ``duplicate`` (200, the id is waiting or was applied). Nothing
  of the record is looked at: links, snapshot diff, stored reads and outbox rows are the background's work, so a
  request costs a signature check, a parse and one insert whatever the event changes.
- **Apply** (``apply_accepted_events``): exactly ``apply_change_event``'s meaning (stale events change nothing, once
  per event id, outbox rows in the snapshot's transaction), for up to ``BATCH`` events in one transaction: one
  commit, and each changed resident's stored documents rendered once at it, for all of them (rendering is a quarter
  of the drain's time: a resident changed by several events of a batch is rendered once). The batch is applied
  record by record, each record's events in arrival order, each event in its own savepoint with its inbox row
  deleted in it, so a crash before the commit leaves all of them to be applied again and a crash after leaves
  nothing to do. A duplicate (a concurrent delivery remembered the id first) rolls back its savepoint alone; an
  event that fails (a poison event) rolls back alone and stays in the inbox with its record's later events, so a
  drain never applies a record's events out of order, while the other records' events are applied (the drain leaves
  that record out until it ends); its failure is counted on its row and it is tried again after a backoff, and
  after ``platform_event_attempts`` tries set aside, its record's later events applied and a refresh of the record
  queued (``services.benefits.event_attempts``); one whose pull cannot be queued ends the batch and stays, with
  the rest. The claim takes only rows that may be tried now (not set aside, their record not waiting for a failed
  event's next attempt: ``ix_platform_event_inbox_record`` serves that test). One drain runs at a time (``services.benefits.drain_turn``); on PostgreSQL the batch is also
  claimed with ``FOR UPDATE SKIP LOCKED``, so two drains that ever overlap never apply an event twice; on SQLite
  (where only a process's own drains are kept apart) another process's drain that read the same rows finds them
  applied (``duplicate``), and the savepoints begin the transaction with ``BEGIN IMMEDIATE`` (``services.db``) so
  that releasing one commits nothing. On SQLite a batch also ends early when a request waits for the writer
  (``writers_waiting``), and the drain lets the waiting requests go first (``give_way``): holding the writer for a
  whole batch had the accepts wait for it, and single events were accepted only as fast as they were applied
  (46–57/s, was 68–111/s).
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

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.benefits import event_attempts
from services.benefits.drain_turn import Turn
from services.benefits.event_attempts import Attempt
from services.benefits.platform_events import (
    DUPLICATE,
    ChangeEvent,
    ConcurrentDuplicate,
    after_commit,
    apply_in_session,
)
from services.benefits.store import give_way, write_session, writers_waiting
from services.db import dialect_insert
from services.errors import QueueUnavailable
from services.hub import Hub
from services.models.benefits import PlatformEvent, PlatformEventInbox

ACCEPTED = "accepted"  # answered with 202; DUPLICATE with 200
BATCH = 25  # events per transaction: one commit and one render per changed resident for all of them
SWEEP_SECONDS = 5
DRAIN_TURN_SECONDS = 5
GIVE_WAY_SECONDS = 0.05  # how long a drain lets the requests waiting for SQLite's writer go first, at most

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


def apply_accepted_events(hub: Hub, limit: int = BATCH, *, passing: set[tuple[str, str]] | None = None) -> int:
    """Apply up to ``limit`` accepted events, oldest first, in one transaction; returns how many were taken out
    of the inbox. ``passing`` (the records whose event failed, kept across a drain's batches) is left out of the
    claim and gains the records that fail in this batch."""
    passing = set() if passing is None else passing
    set_aside: list[Attempt] = []
    with write_session(hub.session_factory) as session:
        applied = _apply_batch(hub, session, _claim(session, limit, passing), passing, set_aside)
        session.commit()  # the batch, and each changed resident's stored documents rendered once
    event_attempts.counted_set_aside(set_aside)
    for event, outcome, standing in applied:
        if outcome != DUPLICATE:
            after_commit(hub, event.agency, standing)
    if applied:
        for callback in _after_apply:
            callback(hub)
    return len(applied)


def _claim(session: Session, limit: int, passing: set[tuple[str, str]]) -> list[PlatformEventInbox]:
    """The ``limit`` oldest events that may be tried now (``event_attempts.claimable``: not set aside, their
    record not waiting for a failed event's next attempt), locked for this transaction on PostgreSQL (``SKIP
    LOCKED``: another drain's are not waited for)."""
    oldest = (
        select(PlatformEventInbox)
        .where(event_attempts.claimable(clock.now()))
        .order_by(PlatformEventInbox.received_at, PlatformEventInbox.event_id)
    )
    if passing:
        oldest = oldest.where(tuple_(PlatformEventInbox.agency, PlatformEventInbox.record_id).not_in(list(passing)))
    return list(session.scalars(oldest.limit(limit).with_for_update(skip_locked=True)))


def _apply_batch(
    hub: Hub,
    session: Session,
    rows: list[PlatformEventInbox],
    passing: set[tuple[str, str]],
    set_aside: list[Attempt],
) -> list[tuple[ChangeEvent, str, list[str]]]:
    """Apply ``rows`` record by record, each event in its own savepoint; the events applied, with their outcome
    and the residents to read designations for. A failing event rolls back alone, its failure is counted
    (``event_attempts.record_failure``) and it leaves its record's later events in the inbox (``passing`` gains
    the record), unless that was its last attempt: it is then set aside (``set_aside`` gains it) and the
    record's later events are applied. One whose pull cannot be queued ends the batch (the broker is down for
    every record): it and the rest stay, what was applied before it commits."""
    applied = []
    for record in _by_record(rows):
        for row in record:
            attempt = Attempt.of(row)
            try:
                event = ChangeEvent(row.event_id, row.agency, row.record_id, row.occurred_at, json.loads(row.document))
                outcome, standing = _apply_one(hub, session, event)
            except QueueUnavailable:
                return applied
            except Exception as error:  # a poison event: it and its record's later events stay, in order
                if event_attempts.record_failure(hub, session, attempt, error):
                    set_aside.append(attempt)
                    continue
                passing.add((attempt.agency, attempt.record_id))
                break
            applied.append((event, outcome, standing))
            if writers_waiting():  # a request waits for SQLite's writer: commit what is applied, let it in
                return applied
    return applied


def _by_record(rows: list[PlatformEventInbox]) -> list[list[PlatformEventInbox]]:
    """The batch record by record (in the order each record's first event arrived), each record's events in
    arrival order."""
    records: dict[tuple[str, str], list[PlatformEventInbox]] = {}
    for row in rows:
        records.setdefault((row.agency, row.record_id), []).append(row)
    return list(records.values())


def _apply_one(hub: Hub, session: Session, event: ChangeEvent) -> tuple[str, list[str]]:
    """One event in its own savepoint, its inbox row deleted in it: a failure rolls back this event alone."""
    applied = delete(PlatformEventInbox).where(PlatformEventInbox.event_id == event.event_id)
    try:
        with session.begin_nested():
            outcome, standing = apply_in_session(hub, session, event)
            session.execute(applied)
    except ConcurrentDuplicate:  # another drain remembered it first: only the row goes
        session.execute(applied)
        return DUPLICATE, []
    return outcome, standing


@job("benefits.apply_platform_events", every_seconds=SWEEP_SECONDS)
def apply_platform_events_job(hub: Hub) -> int:
    """Drain the inbox, then keep polling until it has been empty for ``platform_events_drain_seconds``. A drain
    works at most ``DRAIN_TURN_SECONDS`` and then submits its successor, so a worker (or a stopping process) is
    never held by a long backlog and a Celery task stays short. One drain runs at a time (``drain_turn``): one
    submitted meanwhile returns at once, and what it was submitted for is the running one's. The running one
    sees an event accepted until its last poll; one accepted after that (its own drain found the turn taken)
    shows in the inbox's count once the turn is given back, and it submits a drain for it."""
    turn = Turn(hub)
    if not turn.take():
        return 0
    try:
        total, unfinished, left = _drain(hub)
    finally:
        turn.release()
    if unfinished or _waiting(hub) > left:  # after the release, so that the next drain can take the turn
        hub.runner.submit(apply_platform_events_job)  # refused while stopping: the sweep catches up
    return total


def _drain(hub: Hub) -> tuple[int, bool, int]:
    """How many events this drain applied, whether it stopped with more to do (its time was up), and how many
    events the inbox held just before its last poll (ones it could not apply: a failing event and its record's
    later ones, or ones whose pull could not be queued)."""
    linger = hub.settings.platform_events_drain_seconds
    started = time.monotonic()
    total, idle_since = 0, None
    passing: set[tuple[str, str]] = set()  # records whose event failed: not claimed again by this drain
    while True:
        stopping = idle_since is not None and time.monotonic() - idle_since >= linger
        left = _waiting(hub) if stopping else 0
        done = apply_accepted_events(hub, passing=passing)
        total += done
        if done:
            give_way(GIVE_WAY_SECONDS)
            idle_since = None
            if time.monotonic() - started >= DRAIN_TURN_SECONDS:
                return total, True, 0
            continue
        if stopping:
            return total, False, left
        idle_since = time.monotonic() if idle_since is None else idle_since
        time.sleep(min(0.02, linger))


def _waiting(hub: Hub) -> int:
    """How many events the inbox holds (only a drain takes any out, and only one drains at a time)."""
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(PlatformEventInbox))
