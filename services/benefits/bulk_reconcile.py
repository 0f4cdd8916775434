"""Bulk reconciliation from the platform's bulk export: one agency for every linked resident, a page at a time.

``flask sync agency DHS --bulk``. Where ``reconcile.reconcile_agency`` asks the platform once per resident,
this streams the agency's export (``PlatformClient.records_page``) and, per page, in one transaction:

- maps the page's record ids to linked residents with one query (residents linked to more than one record at
  the agency, rare, are left to ``refresh_source`` after the page: their view combines several records);
- reads the stored sources of those residents with one query (``FOR UPDATE`` on PostgreSQL, as
  ``apply_snapshot`` locks one) and compares content hashes and view order in Python;
- writes only what changed: a resident never stored at the agency gets its first picture (a baseline, no
  events) by one ``COPY`` per table on PostgreSQL, one multi-row ``INSERT`` elsewhere (``snapshot_rows``); a
  picture that differs goes through ``store.apply_snapshot``, the one place that turns differences into outbox
  events, in the same transaction;
  an equal hash writes only the source's stamps, a view older than the stored one is kept out (stale) and
  moves only ``as_of`` (the agency answered), exactly as ``apply_snapshot`` does;
- re-renders stored documents (``documents``) of the changed residents in the same transaction, through the
  session's before-commit hook (baselines are noted with ``note_changed``, stamps written by one executemany
  with ``note_restamp``). That render is one resident at a time (about ten statements and the API's presenters
  each) and is most of a first run's time (``bench/reconciliation.py``), so ``--drop-documents`` deletes the
  touched residents' documents in one statement instead: their reads take the full path (the definition of a
  read) and queue ``benefits.render_views``, and ``flask resident-views render`` renders them all afterwards,
  as after any write around the ORM;
- moves the checkpoint (``sync_checkpoints`` ``bulk:{agency}``, ``position`` = the export cursor after the
  page) in the same transaction, so a page is written with its checkpoint or not at all: ``--resume``
  continues from the last committed page, and a rerun of a page is harmless (equal hashes write no record).

The next page is fetched while the current one is stored (one page ahead), so the platform's time and the
hub's overlap. A failing export (circuit open, planned maintenance, or a transient failure that outlasts the
retries) stops the run where it is, as the per-resident run stops, and ``--resume`` continues. Linked
residents whose record the export does not carry are not touched (the per-resident path notes them as not
found). A record the adapter cannot read is noted as that resident's source error, as a per-record fetch is.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterator

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.orm import Session
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from services import clock
from services.benefits.copy_rows import copy_rows
from services.benefits.documents import drop_documents, note_changed, note_restamp
from services.benefits.reconcile import FAILURES, ReconcileReport, start_checkpoint
from services.benefits.snapshot_rows import snapshot_rows
from services.benefits.store import apply_snapshot, record_source_error, write_session
from services.benefits.sync import refresh_source
from services.benefits.view_order import is_older, newest
from services.hub import Hub
from services.models.benefits import Benefit, BenefitAction, BenefitSource, SyncCheckpoint
from services.models.identity import ResidentLink
from services.platform import adapters
from services.platform.client import RecordsPage
from services.platform.records import TRANSIENT_KINDS, SourceError, SourceErrorKind, content_hash, documents_hash
from services.platform.views import SourceView, pulled

STOPS = {
    SourceErrorKind.CIRCUIT_OPEN: "is failing; resume later",
    SourceErrorKind.MAINTENANCE: "is in planned maintenance; resume after",
}


@dataclasses.dataclass
class PageOutcome:
    processed: int = 0  # linked residents whose record was on the page
    failed: int = 0
    stale: int = 0
    applied: int = 0  # residents whose picture was written (baselines included)
    unchanged: int = 0


def reconcile_agency_bulk(
    hub: Hub,
    agency: str,
    *,
    resume: bool = False,
    page_size: int = 1000,
    on_progress: Callable[[int], None] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    max_pages: int | None = None,
    render: bool = True,
) -> ReconcileReport:
    """``render=False`` drops the touched residents' stored documents instead of rendering them in the page's
    transaction (see the module's text)."""
    with _frozen_heap():
        name = f"bulk:{agency}"
        cursor, processed, failed, total = start_checkpoint(hub, name, agency, resume)
        cursor = cursor or None
        if on_start:
            on_start(total, processed)
        stale = pages = 0
        with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-export") as ahead:
            upcoming = ahead.submit(_page, hub, agency, cursor, page_size)
            while max_pages is None or pages < max_pages:
                try:
                    page = upcoming.result()
                except SourceError as error:
                    reason = STOPS.get(error.kind, f"export failed ({error.kind}); resume later")
                    return ReconcileReport(agency, processed, failed, total, False, f"{agency} {reason}", stale)
                if page.next_cursor is not None:
                    upcoming = ahead.submit(_page, hub, agency, page.next_cursor, page_size)
                outcome = store_page(hub, agency, page, name, (processed, failed), render)
                processed, failed, stale = processed + outcome.processed, failed + outcome.failed, stale + outcome.stale
                pages += 1
                if on_progress:
                    on_progress(outcome.processed)
                if page.next_cursor is None:
                    return ReconcileReport(agency, processed, failed, total, True, stale=stale)
            upcoming.cancel()
        return ReconcileReport(agency, processed, failed, total, False, "stopped after the requested pages", stale)


@contextlib.contextmanager
def _frozen_heap() -> Iterator[None]:
    """The objects alive before the run (the app, its models, SQLAlchemy's caches) kept out of the cyclic
    collector's passes while it runs: a page builds tens of thousands of small dicts and records, which sets off
    collections of the oldest generation, and those walk the whole heap. Measured: a first run of 8,614
    residents took 16.0-16.3 s with the freeze and 18.0-19.9 s without, alternated at load 10."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _page(hub: Hub, agency: str, cursor: str | None, page_size: int) -> RecordsPage:
    retrying = Retrying(
        stop=stop_after_attempt(4),
        wait=wait_random_exponential(multiplier=0.5, max=8.0),
        retry=retry_if_exception(lambda error: isinstance(error, SourceError) and error.kind in TRANSIENT_KINDS),
        reraise=True,
    )
    return retrying(hub.platform.records_page, agency, cursor, page_size)


def store_page(
    hub: Hub, agency: str, page: RecordsPage, name: str, counts: tuple[int, int], render: bool = True
) -> PageOutcome:
    """Store one export page and move the checkpoint past it, in one transaction (see the module's text)."""
    outcome, several = PageOutcome(), []
    with write_session(hub.session_factory) as session:
        linked = _linked(session, agency, [item.record_id for item in page.records])
        views: dict[str, SourceView] = {}
        errors: dict[str, SourceError] = {}
        for item in page.records:
            residents = linked.get(item.record_id, ())
            for resident_id, count in residents:
                if count > 1:
                    several.append(resident_id)
                    continue
                try:
                    records = adapters.normalise(agency, [item.page])
                    views[resident_id] = pulled(records, page.taken_at, adapters.view_stamp(agency, [item.page]))
                except SourceError as error:
                    errors[resident_id] = error
        _apply(session, agency, views, outcome, render)
        for resident_id, error in errors.items():
            record_source_error(session, resident_id, agency, error)
        outcome.processed += len(views) + len(errors)
        outcome.failed += len(errors)
        _checkpoint(session, name, page.next_cursor, counts, outcome)
        session.commit()
    for resident_id in several:  # after the page's commit: these take their own transactions
        result = refresh_source(hub, resident_id, agency, retries=True)
        outcome.processed += 1
        outcome.failed += result in FAILURES
    return outcome


def _linked(session: Session, agency: str, record_ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    """record id → [(resident id, how many records the resident has linked at the agency)], in one query."""
    on_page = select(ResidentLink.resident_id).where(
        ResidentLink.agency == agency, ResidentLink.record_id.in_(record_ids)
    )
    rows = session.execute(
        select(ResidentLink.resident_id, ResidentLink.record_id).where(
            ResidentLink.agency == agency, ResidentLink.resident_id.in_(on_page)
        )
    ).all()
    counts: dict[str, int] = {}
    for resident_id, _ in rows:
        counts[resident_id] = counts.get(resident_id, 0) + 1
    wanted = set(record_ids)
    linked: dict[str, list[tuple[str, int]]] = {}
    for resident_id, record_id in rows:
        if record_id in wanted:
            linked.setdefault(record_id, []).append((resident_id, counts[resident_id]))
    return linked


def _apply(session: Session, agency: str, views: dict[str, SourceView], outcome: PageOutcome, render: bool) -> None:
    if not views:
        return
    columns = (BenefitSource.id, BenefitSource.resident_id, BenefitSource.content_hash, BenefitSource.as_of)
    columns += (BenefitSource.view_at, BenefitSource.view_exact)
    stmt = select(*columns).where(BenefitSource.agency == agency, BenefitSource.resident_id.in_(list(views)))
    sources = {row.resident_id: row for row in session.execute(stmt.with_for_update())}
    now = clock.now()
    baselines: dict[str, tuple[SourceView, str, list[dict]]] = {}
    stamps, changed = [], []
    for resident_id, view in views.items():
        source = sources.get(resident_id)
        if source is None:
            documents = [record.document() for record in view.records]  # built once: hashed and stored
            baselines[resident_id] = (view, documents_hash(documents), documents)
            continue
        stamp = {"b_id": source.id, "view_at": source.view_at, "view_exact": source.view_exact}
        if is_older(view, source.view_at, source.view_exact, source.as_of):
            outcome.stale += 1  # a pull: the agency answered, with nothing newer; only as_of moves
        elif content_hash(view.records) == source.content_hash:
            stamp["view_at"], stamp["view_exact"] = newest(view, source.view_at, source.view_exact)
            outcome.unchanged += 1
        else:
            changed.append(resident_id)
            continue
        stamps.append({**stamp, "b_resident_id": resident_id})
    _stamp(session, stamps, now)
    for resident_id in changed:
        apply_snapshot(session, resident_id, agency, views[resident_id])  # the differences, as outbox events
    insert_baselines(session, agency, baselines, now)
    outcome.applied += len(changed) + len(baselines)
    if render:
        note_changed(session, baselines)
        note_restamp(session, [stamp["b_resident_id"] for stamp in stamps])
    else:
        drop_documents(session, [*baselines, *(stamp["b_resident_id"] for stamp in stamps)])


_STAMP = (
    update(BenefitSource)
    .where(BenefitSource.id == bindparam("b_id"))
    .values(as_of=bindparam("now"), attempted_at=bindparam("now"), error_kind=None, error_detail=None, error_at=None)
    .values(view_at=bindparam("view_at"), view_exact=bindparam("view_exact"))
)


# PostgreSQL: the page's stamps in one statement (an executemany is a statement per row for the server to plan
# and run: the rerun of 87,044 residents took longer than the first run). The same columns as ``_STAMP``.
_STAMP_PAGE = text(
    "UPDATE benefit_sources AS s SET as_of = :now, attempted_at = :now, error_kind = NULL, error_detail = NULL,"
    " error_at = NULL, view_at = v.view_at, view_exact = v.view_exact"
    " FROM unnest(CAST(:ids AS bigint[]), CAST(:view_ats AS timestamptz[]), CAST(:exacts AS boolean[]))"
    " AS v(id, view_at, view_exact) WHERE s.id = v.id"
)


def _stamp(session: Session, stamps: list[dict], now) -> None:
    """The sources whose agency answered with the same (or an older) picture: stamps only, in one statement on
    PostgreSQL, one executemany elsewhere."""
    if not stamps:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        columns = {"ids": "b_id", "view_ats": "view_at", "exacts": "view_exact"}
        arrays = {name: [stamp[key] for stamp in stamps] for name, key in columns.items()}
        connection.execute(_STAMP_PAGE, {**arrays, "now": now})
        return
    params = [{key: value for key, value in stamp.items() if key != "b_resident_id"} for stamp in stamps]
    connection.execute(_STAMP, [{**param, "now": now} for param in params])


def insert_baselines(
    session: Session,
    agency: str,
    baselines: dict[str, tuple[SourceView, str, list[dict]]],
    now,
    copy: bool | None = None,
) -> None:
    """The page's first pictures: one ``COPY`` per table on PostgreSQL (``copy_rows``: a first run of 87,044
    residents measured in the README's "Bulk reconciliation"), one multi-row ``INSERT`` elsewhere. No row needs
    another's generated id: benefits and actions carry their own (``new_id``), sources take the sequence's.
    ``copy`` chooses the way (by default the dialect's; ``tests/benefits/test_baseline_copy.py`` writes the same
    pictures both ways on PostgreSQL and compares the rows)."""
    if not baselines:
        return
    sources, benefits, actions = [], [], []
    for resident_id, (view, digest, documents) in baselines.items():
        sources.append(
            {
                "resident_id": resident_id,
                "agency": agency,
                "content_hash": digest,
                "as_of": now,
                "attempted_at": now,
                "view_at": view.shown_at,
                "view_exact": view.exact,
            }
        )
        rows, action_rows = snapshot_rows(resident_id, agency, view.records, now, documents)
        benefits += rows
        actions += action_rows
    connection = session.connection()
    by_copy = connection.dialect.name == "postgresql" if copy is None else copy
    for model, rows in ((BenefitSource, sources), (Benefit, benefits), (BenefitAction, actions)):
        if not rows:
            continue
        if by_copy:
            copy_rows(connection, model.__table__, rows, list(rows[0]))
        else:
            connection.execute(insert(model), rows)


def _checkpoint(session: Session, name: str, cursor: str | None, counts: tuple[int, int], outcome: PageOutcome):
    checkpoint = session.get(SyncCheckpoint, name)
    checkpoint.position = cursor or ""
    checkpoint.processed = counts[0] + outcome.processed
    checkpoint.failed = counts[1] + outcome.failed
    checkpoint.updated_at = clock.now()
    checkpoint.finished_at = clock.now() if cursor is None else None
