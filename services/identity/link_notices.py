"""Telling a resident that one of their cases was just linked to another hub account.

A producer of the outbox (``services/outbox.py``). Whom a case belongs to, as far as the hub knows: every other resident already linked to that record, or to
any record of the same platform person. Each of them gets an inbox message (a ``link.added_elsewhere`` domain
event in the outbox, turned into a message in their language by ``notifications/``; urgent, and sent whatever
agencies they share, because it is about their account) and an entry in their access log (an audit event whose
actor is the other resident; their access log shows it as "another account in the app", never who).

Both linking paths call this, so a case is never linked to a second account silently: the letter-code path
(which refuses a record already linked to someone else, so here it is the same person's other records) and the
person index's match at sign-in (where the same person may hold two accounts, e.g. two apps with pairwise
subjects at the identity provider).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services import clock
from services.audit import Actor, record_access
from services.models.identity import ResidentLink
from services.outbox import LINK_ADDED_ELSEWHERE, DomainEvent, write_events

NOTICE_ACTION = "link.added_by_other"


@dataclasses.dataclass(frozen=True)
class AuditPlace:
    """Where a change was asked for, for the audit log (the API passes its route and request id)."""

    route: str | None = None
    request_id: str | None = None


def other_holders(session: Session, link: ResidentLink) -> list[str]:
    """Residents other than the link's own who are linked to its record or to another record of its person."""
    same_case = (ResidentLink.agency == link.agency) & (ResidentLink.record_id == link.record_id)
    same_person = ResidentLink.platform_person_id == link.platform_person_id if link.platform_person_id else None
    condition = or_(same_case, same_person) if same_person is not None else same_case
    stmt = (
        select(ResidentLink.resident_id)
        .where(condition, ResidentLink.resident_id != link.resident_id)
        .distinct()
        .order_by(ResidentLink.resident_id)
    )
    return list(session.scalars(stmt))


def tell_other_holders(session: Session, link: ResidentLink, place: AuditPlace = AuditPlace()) -> list[str]:
    """Write the notice and the access-log entry for every other holder of ``link``'s case; return their ids.

    Its caller commits soon after: audit appends hold the chain lock until then.
    """
    holders = other_holders(session, link)
    payload = {
        "link_id": link.id,
        "linked_agency": link.agency,
        "linked_on": clock.now().date().isoformat(),
        "method": link.method,
    }
    for holder in holders:
        event = DomainEvent(LINK_ADDED_ELSEWHERE, payload, dedupe_key=f"{LINK_ADDED_ELSEWHERE}:{link.id}:{holder}")
        write_events(session, holder, [event])
    for holder in holders:
        record_access(
            session,
            Actor("resident", link.resident_id),
            NOTICE_ACTION,
            resident_id=holder,
            route=place.route,
            fields=[f"agency:{link.agency}"],
            request_id=place.request_id,
        )
    return holders
