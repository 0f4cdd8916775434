"""Change events pushed by the platform: apply the document they carry, once per event id.

The processed event id, the snapshot change and its outbox rows commit in one transaction, so the platform
gets a 2xx only once the change is stored, and a redelivered (or concurrently delivered) event changes nothing.
An event older than the picture the hub already holds (pulled or pushed) changes nothing either: it is
answered ``stale`` and its id is remembered like any other.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services import clock
from services.background import job
from services.benefits.store import APPLIED, STALE, UNCHANGED, apply_snapshot, record_source_error, write_session
from services.benefits.sync import refresh_source_job
from services.errors import QueueUnavailable
from services.hub import Hub
from services.models.benefits import PlatformEvent, PlatformEventInbox
from services.models.identity import ResidentLink
from services.platform import adapters
from services.platform.adapters import Page
from services.platform.records import SourceError
from services.platform.views import pushed
from services.representation.platform_sync import has_standing_part, reconcile_record_job

DUPLICATE = "duplicate"  # answered with 200, like APPLIED, UNCHANGED and STALE (``services.benefits.store``)
IGNORED, SOURCE_ERROR, REFRESH_QUEUED = "ignored", "source_error", "refresh_queued"  # answered with 202
QUEUE_RETRY_AFTER_SECONDS = 30


@dataclasses.dataclass(frozen=True)
class ChangeEvent:
    event_id: str
    agency: str
    record_id: str
    occurred_at: dt.datetime
    document: Any  # what the agency's feed returns for the record: JSON, or XML text (DEC)


def apply_change_event(hub: Hub, event: ChangeEvent) -> str:
    """Store the change for every resident linked to the record; returns the outcome (see module constants)."""
    with write_session(hub.session_factory) as session:
        try:
            outcome, standing = apply_in_session(hub, session, event)
        except ConcurrentDuplicate:
            session.rollback()
            return DUPLICATE
        session.commit()
    after_commit(hub, event.agency, standing)
    return outcome


class ConcurrentDuplicate(Exception):
    """Another transaction remembered the same event id first: roll back this event's changes (the transaction,
    or the savepoint it was applied in) and answer ``duplicate``."""


def apply_in_session(hub: Hub, session: Session, event: ChangeEvent) -> tuple[str, list[str]]:
    """The change applied in ``session``'s transaction (or savepoint), not committed: the outcome and the
    residents whose designations to read once it commits (``after_commit``). Raises ``ConcurrentDuplicate`` when a
    concurrent delivery of the event won; the caller rolls back what this event wrote."""
    if session.get(PlatformEvent, event.event_id) is not None:
        return DUPLICATE, []
    links = record_links(session, event.agency, event.record_id)
    if any(_links_at_agency(session, link.resident_id, event.agency) > 1 for link in links):
        # the resident's snapshot spans several records at this agency: a pull replaces it whole
        session.add(
            PlatformEvent(
                event_id=event.event_id, agency=event.agency, outcome=REFRESH_QUEUED, occurred_at=event.occurred_at
            )
        )
        queue_pulls(hub, links, event.agency)
        return REFRESH_QUEUED, []
    try:
        records = adapters.normalise(event.agency, [_page(event.document)]) if links else []
        outcome = APPLIED if links else IGNORED
    except SourceError as error:
        records, outcome = None, SOURCE_ERROR
        for link in links:
            record_source_error(session, link.resident_id, event.agency, error)
    remembered = PlatformEvent(
        event_id=event.event_id, agency=event.agency, outcome=outcome, occurred_at=event.occurred_at
    )
    session.add(remembered)
    try:
        session.flush()  # a concurrent delivery of the same event loses here, before touching the snapshot
    except IntegrityError as error:
        raise ConcurrentDuplicate(event.event_id) from error
    results = []
    if records is not None:
        view = pushed(records, event.occurred_at, clock.now())
        results = [apply_snapshot(session, link.resident_id, event.agency, view).outcome for link in links]
    if results and APPLIED not in results:
        outcome = UNCHANGED if all(result == UNCHANGED for result in results) else STALE
    remembered.outcome = outcome
    if outcome == SOURCE_ERROR:  # the pushed copy was unreadable: ask the feed itself, in the background
        queue_pulls(hub, links, event.agency)
    standing = [link.resident_id for link in links if has_standing_part(session, link.resident_id, event.agency)]
    return outcome, standing


def after_commit(hub: Hub, agency: str, standing: list[str]) -> None:
    """The change may be the agency ending a designation: read the designations of ``standing``."""
    for person_id in standing:
        hub.runner.submit(reconcile_record_job, person_id=person_id, agency=agency)


def record_links(session: Session, agency: str, record_id: str) -> list[ResidentLink]:
    """The residents' links to ``agency``'s record ``record_id`` (an event's, or a set-aside event's)."""
    stmt = select(ResidentLink).where(ResidentLink.agency == agency, ResidentLink.record_id == record_id)
    return list(session.scalars(stmt))


def queue_pulls(hub: Hub, links: list[ResidentLink], agency: str) -> None:
    """Queue the pulls an event needs before it is remembered (or a set-aside event's, ``event_attempts``); if
    the broker cannot take them, the event is not remembered (the caller's transaction rolls back) and the
    platform's redelivery brings it again."""
    for link in links:
        if not hub.runner.submit(refresh_source_job, resident_id=link.resident_id, agency=agency):
            raise QueueUnavailable(
                "The change could not be queued for a refresh; deliver it again later.",
                headers={"Retry-After": str(QUEUE_RETRY_AFTER_SECONDS)},
            )


def _links_at_agency(session, resident_id: str, agency: str) -> int:
    return session.scalar(
        select(func.count()).where(ResidentLink.resident_id == resident_id, ResidentLink.agency == agency)
    )


def _page(document: Any) -> Page:
    if isinstance(document, str):
        return Page("application/xml", document)
    return Page("application/json", json.dumps(document))


def prune_processed_events(sessions: sessionmaker[Session], older_than_days: int = 30) -> int:
    """Forget processed event ids past any redelivery horizon (the platform retries for hours, not weeks), and
    the events set aside as long ago (``services.benefits.event_attempts``: kept until then for support)."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    with write_session(sessions) as session:
        processed = session.execute(delete(PlatformEvent).where(PlatformEvent.received_at < cutoff))
        set_aside = session.execute(delete(PlatformEventInbox).where(PlatformEventInbox.set_aside_at < cutoff))
        session.commit()
    return (processed.rowcount or 0) + (set_aside.rowcount or 0)


@job("benefits.prune_platform_events", every_seconds=24 * 3600)
def prune_platform_events_job(hub: Hub) -> int:
    return prune_processed_events(hub.session_factory)
