"""Reading the audit log: staff filters (scoped by role) and a resident's own access log, in cursor pages."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from services.errors import Forbidden
from services.models.audit import AuditEvent
from services.pagination import Page, keyset_page

RESIDENT_VISIBLE_ACTORS = ("staff", "app")


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    """What a staff member asked for; ``residents_only`` narrows to events about a resident."""

    actor_id: str | None = None
    resident_id: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    flagged_for_review: bool | None = None
    residents_only: bool = False


def scope_for_reader(filters: AuditFilter, *, scope: str, actor_id: str) -> AuditFilter:
    """Narrow what a staff member asked for to what they may read: ``all`` (admins), ``residents`` (every
    event about a resident: supervisors reviewing colleagues and break-glass use) or ``own`` (support)."""
    if scope == "all":
        return filters
    if scope == "residents":
        return dataclasses.replace(filters, residents_only=True)
    if filters.actor_id not in (None, actor_id):
        raise Forbidden("You may read only your own actions in the audit log.")
    return dataclasses.replace(filters, actor_id=actor_id)


def audit_events_page(session: Session, filters: AuditFilter, *, limit: int, after: dict | None) -> Page:
    """Newest first; ``id`` follows the chain, so it is also the time order."""
    stmt = select(AuditEvent)
    for column, value in (
        (AuditEvent.actor_id, filters.actor_id),
        (AuditEvent.resident_id, filters.resident_id),
        (AuditEvent.action, filters.action),
        (AuditEvent.outcome, filters.outcome),
        (AuditEvent.flagged_for_review, filters.flagged_for_review),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < filters.until)
    if filters.residents_only:
        stmt = stmt.where(AuditEvent.resident_id.is_not(None))
    return keyset_page(session, stmt, key=[AuditEvent.id], limit=limit, after=after)


def access_log_page(session: Session, resident_id: str, *, limit: int, after: dict | None) -> Page:
    """What staff, apps and other residents' accounts did with this resident's data (refused or failed attempts
    did nothing, so are left out). Another resident appears when their account linked one of this resident's
    cases; the resident's own actions (their own links and link attempts) are not accesses by someone else."""
    stmt = select(AuditEvent).where(
        AuditEvent.resident_id == resident_id,
        or_(
            AuditEvent.actor_kind.in_(RESIDENT_VISIBLE_ACTORS),
            and_(AuditEvent.actor_kind == "resident", AuditEvent.actor_id != resident_id),
        ),
        AuditEvent.outcome == "allowed",
    )
    return keyset_page(session, stmt, key=[AuditEvent.id], limit=limit, after=after)
