"""Stored reads: what a resident sees, rendered when it changes and served as it is stored.

What a benefits or actions read shows changes only when a snapshot, a source's state, a consent, a link or an
upload changes. Every session notes the residents whose such rows it flushed (``Benefit``, ``BenefitAction``,
``Consent``, ``ResidentLink``, ``DocumentUpload`` (what an action shows was sent, and its status), and a ``BenefitSource`` whose ``as_of``, ``attempted_at`` or ``error_at`` moved),
and just before it commits renders their documents, one per language of the text catalogue, into ``resident_views``
in the same transaction (so the snapshot, its outbox rows and what the resident will see commit together or not at
all). A savepoint's release renders nothing and its rollback forgets nothing: a transaction of many savepoints (the
event drain's batch) renders each resident once, when it commits (so a ``commit()`` while a savepoint is still open
would render nothing: nobody does that). A change that moves only a source's stamps (a pull or event that found the
same picture, a failed fetch) restamps the documents' copy of the sources and their benefits' ``as_of`` without
rendering the items again. A process that has no renderer (one that never built the API) deletes the documents
instead; a read that finds none of this version is answered by the full read and queues ``benefits.render_views``
(``flask resident-views render`` renders everyone, after a release that changed texts).

A document holds each item exactly as the documented schemas dump it, in the order the read pages them, and
each source's raw ``as_of``/``error_at``/``attempted_at``: freshness, and ``meta.sources[].maintenance`` (from the
per-process maintenance calendar, no statement), are computed at read time with
``services.benefits.freshness``, the same rule the full read uses. A read is served from the document only when
the full read would do nothing more than show storage: no ``?refresh=true``, no cursor (later pages are the
full read's), a verified resident, no source that the full read would wait for (never fetched), and a
document of this code and catalogue version. Anything else takes the full read (``services.benefits.reads``),
which stays the definition of what a read answers; ``tests/benefits/test_stored_reads.py`` holds the two to
the same bytes.

Writes that bypass the ORM must call ``note_changed`` / ``note_restamp`` themselves, or ``drop_documents``
(bulk reconciliation, ``services/benefits/bulk_reconcile.py``; other Core statements on these tables touch
``refresh_requested_at`` only, or delete actions beside their ORM-deleted benefit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Select, bindparam, delete, event, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from services import clock
from services.background import job
from services.benefits.freshness import NOT_LINKED, source_status, wants_refresh
from services.benefits.store import write_session
from services.db import dialect_insert
from services.models.benefits import Benefit, BenefitAction, BenefitSource, ResidentView
from services.models.documents import DocumentUpload
from services.models.identity import Consent, HubSession, Resident, ResidentLink
from services.platform.records import OPEN_ACTION_STATES
from services.texts.catalogue import Catalogue, texts
from services.visibility import Visibility, visibility_of

if TYPE_CHECKING:
    from services.hub import Hub

CODE_VERSION = "2"  # raise when what a document holds, or how an item is rendered, changes
INLINE_RETRY_SECONDS = 60  # as services.benefits.reads: a never-fetched source that just failed is not waited for
_PENDING = "resident_views.pending"
_SOURCES_PENDING = "resident_views.sources_pending"  # only a source's as_of/attempted_at/error_at moved
_SOURCE_FIELDS = ("as_of", "attempted_at", "error_at")
_TRACKED = (Benefit, BenefitAction, Consent, ResidentLink, DocumentUpload)


@dataclasses.dataclass
class Gathered:
    """Everything one resident's documents are rendered from, read in six statements."""

    resident_id: str
    visibility: Visibility
    sources: dict[str, BenefitSource]
    benefits: list[Benefit]  # of the shown agencies, in the order a benefits read pages them
    actions: dict[str, list[BenefitAction]]  # each benefit's actions, soonest due first
    open_actions: list[BenefitAction]  # open, of the shown agencies, in the order an actions read pages them
    sent: dict[str, list[DocumentUpload]] = dataclasses.field(default_factory=dict)  # uploads by action, oldest first

    def as_of(self, agency: str) -> dt.datetime | None:
        source = self.sources.get(agency)
        return source.as_of if source else None


# (gathered, locale) → {"benefits": [dumped BenefitSchema item…], "actions": [dumped OpenActionSchema item…]}, and
# a source's as_of → its dumped form: set by the API (the schemas live there).
Renderer = Callable[[Gathered, str], dict[str, Any]]
_renderer: Renderer | None = None
_as_of_format: Callable[[dt.datetime], str] = dt.datetime.isoformat


def use_renderer(renderer: Renderer | None, as_of: Callable[[dt.datetime], str] | None = None) -> None:
    """Set how documents are rendered (the composition root passes the API's) and how a source's ``as_of`` is
    written; ``None``: documents are deleted on change and rendered by the next read."""
    global _renderer, _as_of_format
    _renderer = renderer
    if as_of is not None:
        _as_of_format = as_of


def note_changed(session: Session, resident_ids: Iterable[str]) -> None:
    """Mark residents whose documents must be rendered again when ``session`` commits."""
    session.info.setdefault(_PENDING, set()).update(resident_ids)


def note_restamp(session: Session, resident_ids: Iterable[str]) -> None:
    """Mark residents whose sources' stamps alone moved (written around the ORM): restamped when it commits."""
    session.info.setdefault(_SOURCES_PENDING, set()).update(resident_ids)


def drop_documents(session: Session, resident_ids: Iterable[str]) -> None:
    """Delete these residents' documents in this transaction (one statement): their reads take the full path
    and queue ``benefits.render_views`` until ``flask resident-views render`` or that job renders them."""
    session.execute(delete(ResidentView).where(ResidentView.resident_id.in_(list(resident_ids))))


@event.listens_for(Session, "after_flush")
def _note_flushed(session: Session, _context) -> None:
    changed, sources = set(), set()
    for row in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(row, _TRACKED) and row.resident_id:
            changed.add(row.resident_id)
        elif isinstance(row, BenefitSource) and row.resident_id and _source_moved(row):
            (changed if row in session.deleted else sources).add(row.resident_id)
    if changed:
        note_changed(session, changed)
    if sources:
        session.info.setdefault(_SOURCES_PENDING, set()).update(sources)


def _source_moved(row: BenefitSource) -> bool:
    state = inspect(row)
    if state.pending or state.deleted or not state.persistent:
        return True
    return any(state.attrs[name].history.has_changes() for name in _SOURCE_FIELDS)


@event.listens_for(Session, "before_commit")
def _render_pending(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint's release: its residents wait for the transaction's commit
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # before_commit runs before the commit's own flush: note what it would write first
    if not session.info.get(_PENDING) and not session.info.get(_SOURCES_PENDING):
        return
    while session.info.get(_PENDING) or session.info.get(_SOURCES_PENDING):
        pending = session.info.pop(_PENDING, set())
        for resident_id in sorted(pending):
            store(session, resident_id)
        for resident_id in sorted(session.info.pop(_SOURCES_PENDING, set()) - pending):
            restamp(session, resident_id)
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, previous) -> None:
    if _savepoint_of(previous) is not None:  # what the transaction noted before the savepoint still commits (a
        return  # resident noted only inside it is rendered anyway, from rows that did not change: the same document)
    session.info.pop(_PENDING, None)
    session.info.pop(_SOURCES_PENDING, None)


def _savepoint_of(transaction):
    """The savepoint a rollback of ``transaction`` rolled back (a failed flush rolls back its own inner
    transaction, and with it the savepoint it ran in), or ``None``: the whole transaction."""
    while transaction is not None and not transaction.nested:
        transaction = transaction.parent
    return transaction


def gather(session: Session, resident_id: str) -> Gathered:
    visibility = visibility_of(session, resident_id)
    shown = visibility.shown or [""]
    sources = {
        row.agency: row
        for row in session.scalars(
            select(BenefitSource).where(
                BenefitSource.resident_id == resident_id, BenefitSource.agency.in_(visibility.shared or [""])
            )
        )
    }
    benefits = list(
        session.scalars(
            select(Benefit)
            .where(Benefit.resident_id == resident_id, Benefit.agency.in_(shown))
            .order_by(Benefit.agency.asc(), Benefit.program_code.asc(), Benefit.id.asc())
        )
    )
    actions: dict[str, list[BenefitAction]] = {}
    open_actions = []
    stmt = (
        select(BenefitAction)
        .where(BenefitAction.resident_id == resident_id, BenefitAction.agency.in_(shown))
        .order_by(BenefitAction.sort_on.asc(), BenefitAction.id.asc())
    )
    for action in session.scalars(stmt):
        actions.setdefault(action.benefit_id, []).append(action)
        if action.state in OPEN_ACTION_STATES:
            open_actions.append(action)
    sent: dict[str, list[DocumentUpload]] = {}
    uploads = select(DocumentUpload).where(DocumentUpload.resident_id == resident_id)
    for upload in session.scalars(uploads.order_by(DocumentUpload.submitted_at, DocumentUpload.id)):
        sent.setdefault(upload.action_id, []).append(upload)  # as services.documents.uploads.uploads_by_action
    return Gathered(resident_id, visibility, sources, benefits, actions, open_actions, sent)


def store(session: Session, resident_id: str, locales: Iterable[str] | None = None) -> None:
    """Render ``resident_id``'s documents in every language (or ``locales``) into this transaction; without a
    renderer, or for a resident who is gone, delete them."""
    exists = _lock_resident(session, resident_id)
    if _renderer is None or exists is None:
        session.execute(delete(ResidentView).where(ResidentView.resident_id == resident_id))
        return
    catalogue = texts()
    gathered = gather(session, resident_id)
    now, version = clock.now(), version_of(catalogue)
    rows = [
        {
            "resident_id": resident_id,
            "locale": locale,
            "version": version,
            "document": _document(gathered, _renderer(gathered, locale)).decode(),
            "rendered_at": now,
        }
        for locale in (locales or catalogue.locales())
    ]
    insert = dialect_insert(session)(ResidentView).values(rows)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["resident_id", "locale"],
            set_={"version": insert.excluded.version, "document": insert.excluded.document, "rendered_at": now},
        )
    )


def _lock_resident(session: Session, resident_id: str) -> str | None:
    """Take the resident's row lock (``FOR NO KEY UPDATE``: it waits for another transaction rendering the same
    resident, not for ones that merely insert rows referencing it), so documents are rendered one transaction at
    a time per resident. Two sources stored at once would otherwise each render from a view missing the other's
    uncommitted rows, and the last to commit would win; after the wait, READ COMMITTED shows the other's rows."""
    return session.scalar(select(Resident.id).where(Resident.id == resident_id).with_for_update(key_share=True))


def restamp(session: Session, resident_id: str) -> None:
    """Only sources' stamps moved (a pull or an event that found the same picture, a failed fetch): rewrite each
    document's copy of its sources and its benefits' ``as_of``, without gathering or rendering the items
    again. A document that is missing or of another version is rendered whole."""
    if _renderer is None or _lock_resident(session, resident_id) is None:
        store(session, resident_id)
        return
    version = version_of(texts())
    views = session.execute(
        select(ResidentView.locale, ResidentView.version, ResidentView.document).where(
            ResidentView.resident_id == resident_id
        )
    ).all()
    if not views or any(row.version != version for row in views):
        store(session, resident_id)
        return
    rows = {
        row.agency: row
        for row in session.scalars(select(BenefitSource).where(BenefitSource.resident_id == resident_id))
    }
    changes = []
    for view in views:
        document = orjson.loads(view.document)
        shared = set(document["shared"])
        stamps = {agency: _source_entry(row) for agency, row in rows.items() if agency in shared}
        document["sources"] = stamps
        for _, item in document["benefits"]:
            item["as_of"] = stamps[item["agency"]][3] if item["agency"] in stamps else None
        changes.append({"b_locale": view.locale, "b_document": orjson.dumps(document).decode()})
    session.connection().execute(_RESTAMP, [{"b_resident_id": resident_id, **change} for change in changes])


def _source_entry(row: BenefitSource) -> list:
    return [_iso(row.as_of), _iso(row.error_at), _iso(row.attempted_at), _renderer_as_of(row.as_of)]


def _renderer_as_of(value: dt.datetime | None) -> str | None:
    """A source's ``as_of`` as the documented schema dumps it (the renderer's ``as_of`` for one value)."""
    return _as_of_format(value) if value is not None else None


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _document(gathered: Gathered, rendered: dict[str, Any]) -> bytes:
    visibility = gathered.visibility
    sources = {agency: _source_entry(row) for agency, row in gathered.sources.items()}
    benefits = [
        [{"agency": b.agency, "program_code": b.program_code, "id": b.id}, item]
        for b, item in zip(gathered.benefits, rendered["benefits"], strict=True)
    ]
    actions = [
        [{"sort_on": a.sort_on.isoformat(), "id": a.id}, item]
        for a, item in zip(gathered.open_actions, rendered["actions"], strict=True)
    ]
    return orjson.dumps(
        {
            "shared": visibility.shared,
            "linked": sorted(visibility.linked),
            "shown": visibility.shown,
            "sources": sources,
            "benefits": benefits,
            "actions": actions,
        }
    )


_RESTAMP = (
    update(ResidentView)
    .where(ResidentView.resident_id == bindparam("b_resident_id"), ResidentView.locale == bindparam("b_locale"))
    .values(document=bindparam("b_document"))
)
_versions: weakref.WeakKeyDictionary[Catalogue, str] = weakref.WeakKeyDictionary()


def version_of(catalogue: Catalogue) -> str:
    """This code's and this catalogue's texts' version: a document rendered under other texts is not served."""
    version = _versions.get(catalogue)
    if version is None:
        digest = hashlib.sha256(CODE_VERSION.encode())
        for path in sorted(catalogue.root.glob("*/*.json")):
            digest.update(path.relative_to(catalogue.root).as_posix().encode() + b"\0" + path.read_bytes())
        version = _versions[catalogue] = f"{CODE_VERSION}-{digest.hexdigest()[:40]}"
    return version


# --- reading ------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class StoredPage:
    """One page as a read answers it: items as dumped, the sources' meta entries, the next page's keyset values,
    and the agencies whose copy wants a background refresh."""

    items: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    next_after: dict[str, Any] | None
    wants_refresh: list[str]


# Built once, run on the session's connection: a read compiles nothing and builds no ORM state. The resident and
# their documents in every language come in one statement (a few kilobytes each; only the one asked for is parsed).
_RESIDENT_AND_VIEWS = (
    select(
        Resident.locale, Resident.identity_verified, ResidentView.locale, ResidentView.version, ResidentView.document
    )
    .outerjoin(ResidentView, ResidentView.resident_id == Resident.id)
    .where(Resident.id == bindparam("resident_id"))
)


@dataclasses.dataclass(frozen=True)
class StoredResident:
    """A resident's language, whether their identity is verified, and their stored documents by language."""

    locale: str | None
    verified: bool
    views: dict[str, tuple[str, str]]  # locale → (version, document JSON)

    def document(self, locale: str) -> dict[str, Any] | None:
        """The document in ``locale`` if it is of this code and catalogue version."""
        found = self.views.get(locale)
        if found is None or found[0] != version_of(texts()):
            return None
        return orjson.loads(found[1])


def with_stored_views(session_lookup: Select) -> Select:
    """The token's session lookup (``services.identity.sessions.session_lookup``) with its resident's row and
    documents joined: the token check and the stored read in one statement, one row per document."""
    return (
        session_lookup.add_columns(
            Resident.locale.label("resident_locale"),
            Resident.identity_verified.label("resident_verified"),
            ResidentView.locale.label("view_locale"),
            ResidentView.version.label("view_version"),
            ResidentView.document.label("view_document"),
        )
        .outerjoin(Resident, Resident.id == HubSession.resident_id)
        .outerjoin(ResidentView, ResidentView.resident_id == Resident.id)
    )


def stored_resident_joined(rows: list, resident_id: str) -> StoredResident | None:
    """``stored_resident`` from the rows of ``with_stored_views``, when they are ``resident_id``'s: the token holder's
    own document (``None``: the session's resident is gone, or the read is of someone else's, as a representative's
    is, and the caller reads that one itself)."""
    if not rows or rows[0].resident_id != resident_id or rows[0].resident_locale is None:
        return None
    views = {row.view_locale: (row.view_version, row.view_document) for row in rows if row.view_locale is not None}
    return StoredResident(rows[0].resident_locale, bool(rows[0].resident_verified), views)


def stored_resident(connection: Connection, resident_id: str) -> StoredResident | None:
    """One statement: the resident's row and their documents (``None``: no such resident)."""
    rows = connection.execute(_RESIDENT_AND_VIEWS, {"resident_id": resident_id}).all()
    if not rows:
        return None
    views = {row[2]: (row[3], row[4]) for row in rows if row[2] is not None}
    return StoredResident(rows[0][0], bool(rows[0][1]), views)


def narrowed(document: dict[str, Any], agencies: frozenset[str]) -> dict[str, Any]:
    """The document as a representative of ``agencies`` reads it: what the full read narrowed to them
    (``services.benefits.reads``, ``within``) answers, since a document's items, sources and order are the full
    read's and each item names its agency. ``tests/acting_for/test_reads.py`` holds the two equal."""
    return {
        **document,
        "shared": [agency for agency in document["shared"] if agency in agencies],
        "shown": [agency for agency in document["shown"] if agency in agencies],
        "benefits": [entry for entry in document["benefits"] if entry[0]["agency"] in agencies],
        "actions": [entry for entry in document["actions"] if entry[1]["agency"] in agencies],
    }


def page(
    document: dict[str, Any], kind: str, *, limit: int, now: dt.datetime, fresh_seconds: float, inline: bool
) -> StoredPage | None:
    """The first page of ``kind`` (``benefits`` or ``actions``), or ``None`` when the full read must answer
    (``inline``: the full read would wait on a never-fetched source)."""
    linked, rows = set(document["linked"]), document["sources"]
    if inline:
        for agency in document["shown"]:
            if _never_fetched(rows.get(agency), now):
                return None
    sources, wanted = [], []
    for agency in document["shared"]:
        if agency not in linked:
            sources.append({"agency": agency, "status": NOT_LINKED, "as_of": None})
            continue
        as_of, error_at, _attempted, as_of_out = rows.get(agency) or (None, None, None, None)
        status = source_status(_parse(as_of), _parse(error_at), now, fresh_seconds)
        sources.append({"agency": agency, "status": status, "as_of": as_of_out})
        if wants_refresh(status):
            wanted.append(agency)
    entries = document[kind]
    next_after = entries[limit - 1][0] if len(entries) > limit else None
    return StoredPage([item for _, item in entries[:limit]], sources, next_after, wanted)


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def _never_fetched(row: list | None, now: dt.datetime) -> bool:
    """``services.benefits.reads._never_fetched`` on a document's copy of the source row."""
    if row is None or row[2] is None:
        return True
    recently = (now - _parse(row[2])).total_seconds() < INLINE_RETRY_SECONDS
    return row[0] is None and not recently


RENDER_REQUEUE_SECONDS = 60  # a render queued to another process (Celery) is asked for again after this
_queued: dict[str, float] = {}
_queued_lock = threading.Lock()


def queue_render(hub: Hub, resident_id: str) -> None:
    """Render a missing or outdated document in the background, once per resident a minute in this process
    however many reads find it missing meanwhile; the read that asks takes the full path and writes nothing."""
    now = time.monotonic()
    with _queued_lock:
        if now - _queued.get(resident_id, -RENDER_REQUEUE_SECONDS) < RENDER_REQUEUE_SECONDS:
            return
        if len(_queued) > 10_000:
            _queued.clear()
        _queued[resident_id] = now
    if not hub.runner.submit(render_views_job, resident_id=resident_id):
        with _queued_lock:
            _queued.pop(resident_id, None)


@job("benefits.render_views")
def render_views_job(hub: Hub, resident_id: str) -> None:
    """Render one resident's documents (queued by a read that found none of this version: a resident untouched
    since the release that changed texts or the documents' shape)."""
    with _queued_lock:
        _queued.pop(resident_id, None)
    with write_session(hub.session_factory) as session:
        store(session, resident_id)
        session.commit()


def render_all(
    session_factory: sessionmaker[Session], *, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> int:
    """Render every resident's documents again, a batch of residents per transaction, in id order (after a release
    that changed texts or ``CODE_VERSION``, or data written around the ORM): otherwise each resident's next read
    renders them. Returns how many residents were rendered."""
    done, after = 0, ""
    while True:
        with write_session(session_factory) as session:
            ids = list(
                session.scalars(select(Resident.id).where(Resident.id > after).order_by(Resident.id).limit(batch_size))
            )
            if not ids:
                return done
            for resident_id in ids:
                store(session, resident_id)
            session.commit()
        done, after = done + len(ids), ids[-1]
        if progress:
            progress(len(ids))
