"""Bulk reconciliation: refresh one agency for every linked resident, in small transactions, resumable.

Residents are walked in id order and a checkpoint is committed after each batch, so a stopped run continues
with ``resume=True`` and a rerun of a batch is harmless (equal content hashes write nothing, and a view older
than the stored one is kept out). Each resident's
snapshot is its own short transaction, so live reads and pushed events interleave freely. If the agency's
circuit breaker opens, the run stops without moving the checkpoint past the batch.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Callable

from sqlalchemy import func, select

from services import clock
from services.benefits.store import STALE
from services.benefits.sync import FAILED, refresh_source
from services.hub import Hub
from services.models.benefits import BenefitSource, SyncCheckpoint
from services.models.identity import ResidentLink
from services.planner_statistics import analyze_stale
from services.platform.records import SourceErrorKind

# the run stops at an open circuit, and at a planned outage (resume after it)
FAILURES = {*SourceErrorKind, FAILED} - {SourceErrorKind.CIRCUIT_OPEN, SourceErrorKind.MAINTENANCE}


@dataclasses.dataclass
class ReconcileReport:
    agency: str
    processed: int
    failed: int
    total: int
    finished: bool
    stopped_reason: str | None = None
    stale: int = 0  # of this run: the agency showed an older view than the hub already held (kept)


def reconcile_agency(
    hub: Hub,
    agency: str,
    *,
    resume: bool = False,
    batch_size: int = 200,
    concurrency: int = 4,
    on_progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    max_batches: int | None = None,
) -> ReconcileReport:
    name = f"agency:{agency}"
    position, processed, failed, total = start_checkpoint(hub, name, agency, resume)
    if on_start:
        on_start(total, processed)

    batches, stale = 0, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="reconcile") as pool:
        while max_batches is None or batches < max_batches:
            with hub.session() as session:
                residents = list(
                    session.scalars(
                        select(ResidentLink.resident_id)
                        .where(ResidentLink.agency == agency, ResidentLink.resident_id > position)
                        .group_by(ResidentLink.resident_id)
                        .order_by(ResidentLink.resident_id)
                        .limit(batch_size)
                    )
                )
            if not residents:
                _save(hub, name, position, processed, failed, finished=True)
                return ReconcileReport(agency, processed, failed, total, True, stale=stale)
            outcomes = list(pool.map(lambda rid: refresh_source(hub, rid, agency, retries=True), residents))
            if SourceErrorKind.CIRCUIT_OPEN in outcomes:
                return ReconcileReport(
                    agency, processed, failed, total, False, f"{agency} is failing; resume later", stale
                )
            if SourceErrorKind.MAINTENANCE in outcomes:
                return ReconcileReport(
                    agency, processed, failed, total, False, f"{agency} is in planned maintenance; resume after", stale
                )
            position = residents[-1]
            processed += len(residents)
            failed += sum(outcome in FAILURES for outcome in outcomes)
            stale += outcomes.count(STALE)
            _save(hub, name, position, processed, failed, finished=False)
            if on_progress:
                on_progress(len(residents))
            batches += 1
    return ReconcileReport(agency, processed, failed, total, False, "stopped after the requested batches", stale)


def _save(hub: Hub, name: str, position: str, processed: int, failed: int, *, finished: bool) -> None:
    with hub.session() as session:
        checkpoint = session.get(SyncCheckpoint, name)
        checkpoint.position, checkpoint.processed, checkpoint.failed = position, processed, failed
        checkpoint.updated_at = clock.now()
        checkpoint.finished_at = clock.now() if finished else None
        session.commit()


def start_checkpoint(hub: Hub, name: str, agency: str, resume: bool) -> tuple[str, int, int, int]:
    """The run's checkpoint ``name``, started afresh unless ``resume`` finds an unfinished one: its position (``""``
    at the start), processed and failed counts, and the number of residents linked at ``agency``. Shared by the
    per-resident and the bulk run, which both ask the tables of links and sources by the page: their planner
    statistics are brought up to date first (``planner_statistics``)."""
    with hub.session() as session:
        analyze_stale(session.connection(), (ResidentLink.__tablename__, BenefitSource.__tablename__))
        total = session.scalar(
            select(func.count(func.distinct(ResidentLink.resident_id))).where(ResidentLink.agency == agency)
        )
        checkpoint = session.get(SyncCheckpoint, name)
        if checkpoint is None:
            checkpoint = SyncCheckpoint(name=name)
            session.add(checkpoint)
        if not resume or checkpoint.finished_at is not None:
            checkpoint.position, checkpoint.processed, checkpoint.failed = "", 0, 0
            checkpoint.started_at, checkpoint.finished_at = clock.now(), None
        checkpoint.updated_at = clock.now()
        session.commit()
        return checkpoint.position, checkpoint.processed, checkpoint.failed, total or 0
