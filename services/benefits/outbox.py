"""Writing domain events to the outbox inside the caller's transaction; a dedupe key already there is skipped."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from services import clock
from services.benefits.changes import DomainEvent
from services.models.outbox import OutboxEvent


def write_events(session: Session, resident_id: str, events: Iterable[DomainEvent]) -> int:
    """Insert each event unless its dedupe key is already in the outbox; return how many were written.

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


def dialect_insert(session: Session):
    """The dialect's ``insert`` (SQLite or PostgreSQL), which has ``on_conflict_do_nothing``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert
