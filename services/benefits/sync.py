"""Sync with the platform: fetch one source and store it (background, with retries), or several sources in
parallel within a read's budget (no retries: a read answers with whatever arrived in time, and does not wait
at all for an agency that is failing, known slow, or already waited on by enough other reads).

Each fetch stores its result in its own short transaction, so a source that answers is saved even if the read
that asked has already answered without it.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.background import job
from services.benefits.freshness import NOT_LINKED
from services.benefits.store import APPLIED, STALE, UNCHANGED, apply_snapshot, record_source_error, write_session
from services.hub import Hub
from services.models.identity import ResidentLink
from services.platform.client import PlatformClient, RecordRef
from services.platform.guard import InlineSlot
from services.platform.records import SourceError
from services.platform.views import SourceView, combined
from services.representation.platform_sync import reconcile_record
from services.tracing import in_this_trace

log = logging.getLogger("hub.sync")

STORE_MARGIN_SECONDS = 0.15  # of a read's budget, kept for storing what arrived
# What a fetch for a read came to, besides the outcomes of ``store`` and the ``SourceErrorKind`` of a failure:
PENDING, SKIPPED = "pending", "skipped"  # still out when the read answered; not waited for at all
FAILED = "failed"  # the fetch raised something unexpected (logged)


def linked_records(session: Session, resident_id: str) -> dict[str, list[RecordRef]]:
    """Agency → where the resident's records live there (usually one record per agency)."""
    links = session.scalars(
        select(ResidentLink).where(ResidentLink.resident_id == resident_id).order_by(ResidentLink.record_id)
    )
    return record_refs(links)


def record_refs(links: Iterable[ResidentLink]) -> dict[str, list[RecordRef]]:
    """Agency → the platform's address of each of these links' records, in the order given."""
    refs: dict[str, list[RecordRef]] = {}
    for link in links:
        refs.setdefault(link.agency, []).append(RecordRef(link.agency, link.record_id, link.platform_person_id))
    return refs


def store_view(sessions: sessionmaker[Session], resident_id: str, agency: str, view: SourceView) -> str:
    with write_session(sessions) as session:
        result = apply_snapshot(session, resident_id, agency, view)
        session.commit()
    return result.outcome


def store_error(sessions: sessionmaker[Session], resident_id: str, agency: str, error: SourceError) -> str:
    log.warning("source error", extra={"agency": agency, "kind": error.kind})
    with write_session(sessions) as session:
        record_source_error(session, resident_id, agency, error)
        session.commit()
    return error.kind


def refresh_source(hub: Hub, resident_id: str, agency: str, *, retries: bool = True) -> str:
    """Fetch ``agency`` for the resident now and store the outcome; returns ``applied``/``unchanged``/``stale``
    or the error kind. Background work passes ``retries`` (jittered exponential backoff on transient failures)."""
    with hub.session() as session:
        refs = linked_records(session, resident_id).get(agency)
    if not refs:
        return NOT_LINKED
    client = hub.platform
    try:
        view = combined([client.retrying_view(ref) if retries else client.view(ref) for ref in refs])
    except SourceError as error:
        return store_error(hub.session_factory, resident_id, agency, error)
    return store_view(hub.session_factory, resident_id, agency, view)


@job("benefits.refresh_source")
def refresh_source_job(hub: Hub, resident_id: str, agency: str) -> str:
    """Fetch one source for one resident with retries and store it (queued by stale reads, pushed events that
    need a pull, and support's resync)."""
    outcome = refresh_source(hub, resident_id, agency, retries=True)
    if outcome in (APPLIED, UNCHANGED, STALE):  # the agency answered: its designations of the record too
        reconcile_record(hub, resident_id, agency)
    return outcome


def fetch_within_budget(
    hub: Hub, resident_id: str, sources: dict[str, list[RecordRef]], deadline: float
) -> dict[str, str]:
    """Fetch each agency of ``sources`` in parallel and store each as it arrives; return by ``deadline`` (a
    ``time.monotonic()`` instant: the read's budget counted from when its request arrived) with the outcome per
    agency: ``pending`` for those still out, ``skipped`` for those the read may not wait for (breaker open, known
    slow, or its inline slots taken: ``services/platform/guard.py``), which the caller leaves to the background."""
    if not sources:
        return {}
    client = hub.platform
    outcomes = dict.fromkeys(sources, SKIPPED)
    futures = {}
    for agency, refs in sources.items():
        slot = client.inline_slot(agency)
        if slot is not None:
            future = client.pool.submit(
                in_this_trace(_fetch_and_store), hub.session_factory, client, resident_id, agency, refs, deadline, slot
            )
            futures[future] = agency
            outcomes[agency] = PENDING
    done, _ = concurrent.futures.wait(futures, timeout=max(0.0, deadline - time.monotonic()))
    for future in done:
        outcomes[futures[future]] = future.result()
    return outcomes


def _fetch_and_store(
    sessions: sessionmaker[Session],
    client: PlatformClient,
    resident_id: str,
    agency: str,
    refs: list[RecordRef],
    deadline: float,
    slot: InlineSlot,
) -> str:
    try:
        views: list[SourceView] = []
        for ref in refs:
            timeout = deadline - time.monotonic() - STORE_MARGIN_SECONDS
            if timeout <= 0.05:
                return PENDING
            try:
                views.append(client.view(ref, timeout=timeout))
            except SourceError as error:
                return store_error(sessions, resident_id, agency, error)
        return store_view(sessions, resident_id, agency, combined(views))
    except Exception:  # a worker thread reports, it never takes the read down with it
        log.exception("fetch for a read failed", extra={"agency": agency})
        return FAILED
    finally:
        slot.release()
