"""Snapshot storage: replace one resident's picture at one source, writing outbox events for what changed.

``apply_snapshot`` runs inside the caller's transaction so the snapshot, its domain events and (for pushed
events) the processed event id commit together. It runs under the source row's lock, so the order check
(``view_order``) and the write are one step. An equal content hash writes nothing but the source's ``as_of``;
an older view writes no record at all. ``record_source_error`` keeps the last good copy and notes what went
wrong.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Iterator

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from services import clock
from services.benefits.snapshot_diff import benefit_events
from services.benefits.view_order import is_older, newest
from services.db import dialect_insert, new_id
from services.models.benefits import NO_DUE_DATE, Benefit, BenefitAction, BenefitSource
from services.outbox import DomainEvent, write_events
from services.platform.records import BenefitRecord, SourceError, content_hash, record_from_document
from services.platform.views import SourceView

_SQLITE_WRITER = threading.RLock()

# What applying a view did: the picture changed, it was the same, or it was older than the stored one.
APPLIED, UNCHANGED, STALE = "applied", "unchanged", "stale"


@dataclasses.dataclass(frozen=True)
class ApplyResult:
    outcome: str  # APPLIED | UNCHANGED | STALE
    events: int = 0


@contextlib.contextmanager
def write_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for one snapshot write. SQLite allows one writer at a time, and a read transaction that later
    writes fails at once if another connection wrote meanwhile, so in-process writers take turns there
    (``writers_waiting`` says whether one waits, so that a long holder can give way)."""
    session = session_factory()
    guard = _sqlite_writer() if session.get_bind().dialect.name == "sqlite" else contextlib.nullcontext()
    try:
        with guard:
            yield session
    finally:
        session.close()


_waiting = [0]  # threads waiting for the SQLite writer in this process
_waiting_lock = threading.Lock()


@contextlib.contextmanager
def _sqlite_writer() -> Iterator[None]:
    with _waiting_lock:
        _waiting[0] += 1
    try:
        _SQLITE_WRITER.acquire()
    finally:
        with _waiting_lock:
            _waiting[0] -= 1
    try:
        yield
    finally:
        _SQLITE_WRITER.release()


def writers_waiting() -> bool:
    """Whether another thread of this process waits for the SQLite writer (never, on PostgreSQL)."""
    return _waiting[0] > 0


def give_way(seconds: float) -> None:
    """Wait (up to ``seconds``) until no thread waits for the SQLite writer: a holder that let it go lets them
    take it, rather than taking it back before they wake."""
    deadline = time.monotonic() + seconds
    while writers_waiting() and time.monotonic() < deadline:
        time.sleep(0.001)


def lock_source(session: Session, resident_id: str, agency: str) -> BenefitSource:
    """The resident's row for ``agency``, created if missing, locked for this transaction on PostgreSQL."""
    stmt = select(BenefitSource).where(BenefitSource.resident_id == resident_id, BenefitSource.agency == agency)
    source = session.scalar(stmt.with_for_update())
    if source is None:
        insert = dialect_insert(session)
        session.execute(
            insert(BenefitSource)
            .values(resident_id=resident_id, agency=agency)
            .on_conflict_do_nothing(index_elements=["resident_id", "agency"])
        )
        source = session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    return source


def apply_snapshot(session: Session, resident_id: str, agency: str, view: SourceView) -> ApplyResult:
    """Make the stored picture equal ``view``'s records, unless ``view`` is older than what is stored
    (``stale``: nothing changes but, for a pull, that the source answered). The first picture of a source is a
    baseline (no events)."""
    now = clock.now()
    source = lock_source(session, resident_id, agency)
    if is_older(view, source.view_at, source.view_exact, source.as_of):
        if not view.pushed:  # the source answers and holds nothing newer than the stored picture
            _answered(source, now)
        return ApplyResult(STALE)
    records = view.records
    digest = content_hash(records)
    baseline = source.content_hash is None
    _answered(source, now)
    source.view_at, source.view_exact = newest(view, source.view_at, source.view_exact)
    if digest == source.content_hash:
        return ApplyResult(UNCHANGED)

    rows = {
        row.source_key: row
        for row in session.scalars(select(Benefit).where(Benefit.resident_id == resident_id, Benefit.agency == agency))
    }
    actions: dict[str, dict[str, BenefitAction]] = {}
    for action in session.scalars(
        select(BenefitAction).where(BenefitAction.resident_id == resident_id, BenefitAction.agency == agency)
    ):
        actions.setdefault(action.benefit_id, {})[action.source_key] = action

    events: list[DomainEvent] = []
    for record in records:
        row = rows.pop(record.key, None)
        old = _previous(row)
        if row is None:
            row = Benefit(resident_id=resident_id, agency=agency, source_key=record.key, created_at=now)
            row.id = new_id()
            session.add(row)
        _fill(row, record, now)
        action_ids = _store_actions(session, row, record, actions.pop(row.id, {}), now)
        if not baseline:
            events += benefit_events(row.id, action_ids, old, record)
    for row in rows.values():  # cases the agency no longer reports
        old = _previous(row)
        if not baseline and old is not None:
            ids = {key: action.id for key, action in actions.get(row.id, {}).items()}
            events += benefit_events(row.id, ids, old, None)
        session.execute(delete(BenefitAction).where(BenefitAction.benefit_id == row.id))
        session.delete(row)
    source.content_hash = digest
    session.flush()
    written = write_events(session, resident_id, events)
    return ApplyResult(APPLIED, written)


def _answered(source: BenefitSource, now: dt.datetime) -> None:
    source.as_of = source.attempted_at = now
    source.error_kind = source.error_detail = source.error_at = None


def record_source_error(session: Session, resident_id: str, agency: str, error: SourceError) -> None:
    """Note a failed fetch; the last good copy and its ``as_of`` stay as they were."""
    source = lock_source(session, resident_id, agency)
    source.attempted_at = source.error_at = clock.now()
    source.error_kind = error.kind
    source.error_detail = error.detail


def _previous(row: Benefit | None) -> BenefitRecord | None:
    if row is None:
        return None
    try:
        return record_from_document(row.document)
    except (KeyError, TypeError, ValueError):  # a document from an older model: compare as new
        return None


def _fill(row: Benefit, record: BenefitRecord, now: dt.datetime) -> None:
    row.program_code = record.program_code
    row.case_number = record.case_number
    row.status = record.status
    row.renewal_due_on = record.renewal_due_on
    row.next_payment_on = record.next_payment_on
    row.document = record.document()
    row.updated_at = now


def _store_actions(
    session: Session, row: Benefit, record: BenefitRecord, existing: dict[str, BenefitAction], now: dt.datetime
) -> dict[str, str]:
    ids: dict[str, str] = {}
    for action in record.actions:
        stored = existing.pop(action.key, None)
        if stored is None:
            stored = BenefitAction(
                id=new_id(),
                benefit_id=row.id,
                resident_id=row.resident_id,
                agency=row.agency,
                program_code=row.program_code,
                source_key=action.key,
            )
            session.add(stored)
        stored.program_code = row.program_code
        stored.kind = action.kind
        stored.title = action.title[:200]
        stored.state = action.state
        stored.due_on = action.due_on
        stored.scheduled_at = action.scheduled_at
        stored.sort_on = action.due_on or NO_DUE_DATE
        stored.updated_at = now
        ids[action.key] = stored.id
    for gone in existing.values():
        ids[gone.source_key] = gone.id
        session.delete(gone)
    return ids
