"""Recording access to residents' data in the hash-chained audit log, and checking that chain.

Appends are serialised by locking the one chain-head row: an ``UPDATE ... RETURNING`` on it takes the row
lock on PostgreSQL (other appends wait until this transaction ends) and the database write lock on SQLite,
before the previous hash is read. The lock is held until the caller commits, so callers append last and
commit straight after.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import clock
from services.db import dialect_insert
from services.models.audit import ACTOR_KINDS, GENESIS_HASH, OUTCOMES, AuditChainHead, AuditEvent

CHAIN_HEAD_ID = 1
_HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_name",
    "actor_role",
    "resident_id",
    "action",
    "route",
    "fields",
    "reason",
    "request_id",
    "outcome",
    "break_glass",
    "flagged_for_review",
    "prev_hash",
)


@dataclasses.dataclass(frozen=True)
class Actor:
    """Who acted: a staff member (subject, display name, role), an app (client id), the resident, the system."""

    kind: str
    id: str
    name: str | None = None
    role: str | None = None


@dataclasses.dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None


def record_access(
    session: Session,
    actor: Actor,
    action: str,
    *,
    outcome: str = "allowed",
    resident_id: str | None = None,
    route: str | None = None,
    fields: Iterable[str] = (),
    reason: str | None = None,
    request_id: str | None = None,
    break_glass: bool = False,
) -> AuditEvent:
    """Append one event to the chain in ``session``; the caller commits (soon: appends wait for it).

    Break-glass events are always flagged for review.
    """
    if actor.kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {actor.kind!r}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    event_id, prev_hash = _lock_chain_head(session)
    event = AuditEvent(
        id=event_id,
        occurred_at=clock.now(),
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        actor_role=actor.role,
        resident_id=resident_id,
        action=action,
        route=route,
        fields=list(fields),
        reason=reason,
        request_id=request_id,
        outcome=outcome,
        break_glass=break_glass,
        flagged_for_review=break_glass,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    session.execute(update(AuditChainHead).where(AuditChainHead.id == CHAIN_HEAD_ID).values(last_hash=event.hash))
    return event


def _lock_chain_head(session: Session) -> tuple[int, str]:
    """Take the chain lock and reserve the next id; return it with the hash the new event must follow."""
    claim = (
        update(AuditChainHead)
        .where(AuditChainHead.id == CHAIN_HEAD_ID)
        .values(last_event_id=AuditChainHead.last_event_id + 1)
        .returning(AuditChainHead.last_event_id, AuditChainHead.last_hash)
    )
    row = session.execute(claim).one_or_none()
    if row is None:
        _create_chain_head(session)
        row = session.execute(claim).one()
    return row.last_event_id, row.last_hash


def _create_chain_head(session: Session) -> None:
    """The first append ever (or after a test cleaned the tables) creates the head; racing creators agree."""
    session.execute(
        dialect_insert(session)(AuditChainHead)
        .values(id=CHAIN_HEAD_ID, last_event_id=0, last_hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the canonical JSON of the event's content, ``prev_hash`` included."""
    return hashlib.sha256(canonical_content(event).encode("utf-8")).hexdigest()


def canonical_content(event: AuditEvent) -> str:
    content: dict[str, Any] = {name: getattr(event, name) for name in _HASHED_FIELDS}
    content["occurred_at"] = _utc_text(event.occurred_at)
    content["fields"] = list(event.fields or [])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


# Verifying ------------------------------------------------------------------------------------------


def verify_chain(session: Session, *, batch_size: int = 1000) -> VerifyResult:
    """Walk the chain in id order and report the first event that does not follow from the one before."""
    expected_id, expected_prev, checked = 1, GENESIS_HASH, 0
    for event in _events_in_order(session, batch_size):
        if event.id != expected_id:
            missing = f"event {expected_id}" if event.id == expected_id + 1 else f"events {expected_id}-{event.id - 1}"
            return VerifyResult(False, checked, expected_id, f"{missing} missing: the log skips to {event.id}")
        if event.prev_hash != expected_prev:
            return VerifyResult(
                False, checked, event.id, f"event {event.id} does not follow event {event.id - 1} (prev_hash differs)"
            )
        if event_hash(event) != event.hash:
            return VerifyResult(
                False, checked, event.id, f"event {event.id} was changed after it was written (hash does not match)"
            )
        checked += 1
        expected_id, expected_prev = event.id + 1, event.hash
    head = session.get(AuditChainHead, CHAIN_HEAD_ID, populate_existing=True)
    last_id = expected_id - 1
    if head is not None and (head.last_event_id, head.last_hash) != (last_id, expected_prev):
        return VerifyResult(
            False,
            checked,
            last_id + 1,
            f"the chain head records {head.last_event_id} events but the log ends at event {last_id}",
        )
    if head is None and checked:
        return VerifyResult(False, checked, None, "the chain head is missing")
    return VerifyResult(True, checked)


def _events_in_order(session: Session, batch_size: int) -> Iterator[AuditEvent]:
    after = 0
    while True:
        batch = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.id > after)
                .order_by(AuditEvent.id)
                .limit(batch_size)
                .execution_options(populate_existing=True)
            )
        )
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].id
        for event in batch:
            session.expunge(event)
