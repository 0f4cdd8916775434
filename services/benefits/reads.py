"""What a resident sees: benefits, one benefit, open actions, and the freshness of each source.

Reads serve from storage. A source never fetched (or ``?refresh=true``) is fetched in parallel within the
read budget, counted from when the request arrived, unless its agency is failing, known slow or already waited
on by enough reads (then it is served as it stands and refreshed in the background); a stale or unavailable one
gets a background refresh (stale-while-revalidate). Only agencies the resident shares appear at all
(``services.visibility``); a representative's read (``within``: their designation's agencies) is the same read
narrowed to those agencies, so it answers exactly what the person would see of them.
Statements per read are a small constant: resident, withheld consents, links, sources, one page of benefits,
their actions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config import Settings
from services import clock
from services.benefits import freshness
from services.benefits.freshness import SourceState, describe_sources
from services.benefits.store import lock_source, write_session
from services.benefits.sync import SKIPPED, fetch_within_budget, record_refs, refresh_source_job
from services.db import commits
from services.errors import NotFound
from services.hub import Hub
from services.models.benefits import Benefit, BenefitAction, BenefitSource
from services.models.identity import Resident
from services.pagination import keyset_page
from services.platform.records import OPEN_ACTION_STATES
from services.visibility import visibility_of

INLINE_RETRY_SECONDS = 60  # a never-fetched source that just failed is not waited for again this soon
REFRESH_DEBOUNCE_SECONDS = 60  # one queued background refresh per source per minute, however many reads


@dataclasses.dataclass
class BenefitsView:
    resident: Resident
    verified: bool
    sources: list[SourceState] = dataclasses.field(default_factory=list)
    benefits: list[Benefit] = dataclasses.field(default_factory=list)
    actions: dict[str, list[BenefitAction]] = dataclasses.field(default_factory=dict)
    next_after: dict[str, Any] | None = None

    def as_of(self, agency: str) -> dt.datetime | None:
        return next((source.as_of for source in self.sources if source.agency == agency), None)


@dataclasses.dataclass
class ActionsView:
    resident: Resident
    verified: bool
    sources: list[SourceState] = dataclasses.field(default_factory=list)
    actions: list[BenefitAction] = dataclasses.field(default_factory=list)
    next_after: dict[str, Any] | None = None


class _Read:
    """What one read knows of the resident's agencies: which may be shown (``services.visibility``), where their
    records live, and their sources' stored state."""

    def __init__(
        self, settings: Settings, session: Session, resident_id: str, within: frozenset[str] | None = None
    ) -> None:
        self.resident_id = resident_id
        visibility = visibility_of(session, resident_id)
        self.visibility = visibility if within is None else visibility.narrowed(within)
        self.shown = self.visibility.shown
        self.refs = record_refs(self.visibility.shown_links())
        self.sources = source_rows(session, resident_id, self.visibility.shared)
        self.fresh_seconds = settings.fresh_seconds

    def reload_sources(self, session: Session) -> None:
        self.sources = source_rows(session, self.resident_id, self.shown, reload=True)

    def states(self) -> list[SourceState]:
        visibility = self.visibility
        return describe_sources(
            visibility.shared, visibility.linked, self.sources, now=clock.now(), fresh_seconds=self.fresh_seconds
        )


def source_rows(
    session: Session, resident_id: str, agencies: list[str], *, reload: bool = False
) -> dict[str, BenefitSource]:
    """The resident's stored source rows of ``agencies``, by agency (``reload``: as the database holds them now)."""
    stmt = select(BenefitSource).where(
        BenefitSource.resident_id == resident_id, BenefitSource.agency.in_(agencies or [""])
    )
    if reload:
        stmt = stmt.execution_options(populate_existing=True)
    return {row.agency: row for row in session.scalars(stmt)}


@commits
def resident_benefits(
    hub: Hub,
    session: Session,
    resident_id: str,
    *,
    refresh: bool,
    limit: int,
    after: dict | None,
    arrived_at: float | None = None,
    within: frozenset[str] | None = None,
) -> BenefitsView:
    """``arrived_at`` (``time.monotonic()``) is when the request arrived: the read budget counts from then, so
    the phone gets its answer within the budget whatever the request did before it got here. Commits the request's
    session before it waits on fetches, so the read then sees what they stored. ``within``: a representative's
    agencies (only those are fetched, refreshed and shown)."""
    resident = _resident(session, resident_id)
    if not resident.identity_verified:
        return BenefitsView(resident, verified=False)
    seen = _Read(hub.settings, session, resident_id, within)
    waiting = {a: seen.refs[a] for a in seen.shown if refresh or _never_fetched(seen.sources.get(a))}
    not_waited_for: set[str] = set()
    if waiting:
        session.commit()  # end this read's transaction so it sees what the fetches store
        deadline = (time.monotonic() if arrived_at is None else arrived_at) + hub.settings.read_budget_seconds
        outcomes = fetch_within_budget(hub, resident_id, waiting, deadline)
        not_waited_for = {agency for agency, outcome in outcomes.items() if outcome == SKIPPED}
        seen.reload_sources(session)
    states = seen.states()
    wanted = {s.agency for s in states if freshness.wants_refresh(s.status)} | not_waited_for
    queue_refreshes(hub, resident_id, sorted(wanted))
    stmt = select(Benefit).where(Benefit.resident_id == resident_id, Benefit.agency.in_(seen.shown or [""]))
    page = keyset_page(
        session,
        stmt,
        key=[Benefit.agency, Benefit.program_code, Benefit.id],
        limit=limit,
        after=after,
        descending=False,
    )
    actions = actions_by_benefit(session, [benefit.id for benefit in page.items])
    return BenefitsView(resident, True, states, page.items, actions, page.next_after)


def resident_benefit(hub: Hub, session: Session, resident_id: str, benefit_id: str) -> BenefitsView:
    """One benefit of this resident, or ``NotFound`` (also for another resident's id or a hidden agency)."""
    resident = _resident(session, resident_id)
    benefit = session.scalar(select(Benefit).where(Benefit.id == benefit_id, Benefit.resident_id == resident_id))
    if benefit is None or not resident.identity_verified:
        raise NotFound("There is no benefit with this id.")
    seen = _Read(hub.settings, session, resident_id)
    if benefit.agency not in seen.shown:
        raise NotFound("There is no benefit with this id.")
    states = [s for s in seen.states() if s.agency == benefit.agency]
    queue_refreshes(hub, resident_id, [s.agency for s in states if freshness.wants_refresh(s.status)])
    return BenefitsView(resident, True, states, [benefit], actions_by_benefit(session, [benefit.id]))


def resident_open_actions(
    hub: Hub,
    session: Session,
    resident_id: str,
    *,
    limit: int,
    after: dict | None,
    within: frozenset[str] | None = None,
) -> ActionsView:
    """Open actions across every shared program (``within`` a representative's agencies), soonest due first
    (undated last)."""
    resident = _resident(session, resident_id)
    if not resident.identity_verified:
        return ActionsView(resident, verified=False)
    seen = _Read(hub.settings, session, resident_id, within)
    states = seen.states()
    queue_refreshes(hub, resident_id, [s.agency for s in states if freshness.wants_refresh(s.status)])
    stmt = select(BenefitAction).where(
        BenefitAction.resident_id == resident_id,
        BenefitAction.agency.in_(seen.shown or [""]),
        BenefitAction.state.in_(OPEN_ACTION_STATES),
    )
    page = keyset_page(
        session, stmt, key=[BenefitAction.sort_on, BenefitAction.id], limit=limit, after=after, descending=False
    )
    return ActionsView(resident, True, states, page.items, page.next_after)


def _resident(session: Session, resident_id: str) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("There is no such resident.")
    return resident


def _never_fetched(source: BenefitSource | None) -> bool:
    if source is None or source.attempted_at is None:
        return True
    recently = (clock.now() - source.attempted_at).total_seconds() < INLINE_RETRY_SECONDS
    return source.as_of is None and not recently


def actions_by_benefit(session: Session, benefit_ids: list[str]) -> dict[str, list[BenefitAction]]:
    """Each benefit's actions, soonest due first, in one statement."""
    if not benefit_ids:
        return {}
    stmt = (
        select(BenefitAction)
        .where(BenefitAction.benefit_id.in_(benefit_ids))
        .order_by(BenefitAction.sort_on, BenefitAction.id)
    )
    grouped: dict[str, list[BenefitAction]] = {}
    for action in session.scalars(stmt):
        grouped.setdefault(action.benefit_id, []).append(action)
    return grouped


def queue_refreshes(hub: Hub, resident_id: str, agencies: list[str]) -> None:
    """Queue one background refresh per source that wants one, at most once per debounce window. The window is
    claimed first (so concurrent reads queue one refresh), and given back when the broker could not take the
    job, so the next read tries again; a read never fails for it."""
    if not agencies:
        return
    now = clock.now()
    claimed: dict[str, dt.datetime | None] = {}
    with write_session(hub.session_factory) as session:
        for agency in agencies:
            source = lock_source(session, resident_id, agency)
            last = source.refresh_requested_at
            if last is None or (now - last).total_seconds() >= REFRESH_DEBOUNCE_SECONDS:
                source.refresh_requested_at = now
                claimed[agency] = last
        session.commit()
    refused = {
        agency: last
        for agency, last in claimed.items()
        if not hub.runner.submit(refresh_source_job, resident_id=resident_id, agency=agency)
    }
    if refused:
        with write_session(hub.session_factory) as session:
            for agency, last in refused.items():
                session.execute(
                    update(BenefitSource)
                    .where(
                        BenefitSource.resident_id == resident_id,
                        BenefitSource.agency == agency,
                        BenefitSource.refresh_requested_at == now,  # unless another read claimed it since
                    )
                    .values(refresh_requested_at=last)
                )
            session.commit()
