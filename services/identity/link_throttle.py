"""Throttling wrong attempts to link a record by letter code: per resident and per case, persisted.

Every refused attempt (wrong code or unknown case, a case not proven to be the resident's, a case linked to
another account) is a ``LinkFailure`` row, counted two ways: for the resident making it, and for the case it
named (by keyed hash, whether or not such a case exists, so the count tells nothing about existence).

- **Throttle**: 5 refused attempts within 15 minutes → further attempts get a 429 until the oldest of those
  five is 15 minutes old.
- **Lockout**: 10 refused attempts within 24 hours → a 429 until the oldest of those ten is 24 hours old.

Attempts refused *because* of the throttle or the lockout are audited but not counted again, so nobody can
keep a case locked for ever by knocking. The counts live in the database, so they hold across every web
process and restart. A lockout per case can be used to hold up linking of a case whose number someone knows;
the resident who owns it is still linked by the person index at sign-in, which no lockout touches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services import clock
from services.background import job
from services.errors import DomainError
from services.hub import Hub
from services.models.identity import LinkFailure

THROTTLE_AFTER, THROTTLE_WINDOW = 5, dt.timedelta(minutes=15)
LOCK_AFTER, LOCK_WINDOW = 10, dt.timedelta(hours=24)


class LinkAttemptsRefused(DomainError):
    """Too many refused link attempts for this account or case; ``Retry-After`` says when to try again."""

    status = 429
    title = "Too many attempts"
    slug = "link-attempts-throttled"

    def __init__(self, detail: str, *, retry_after: int, locked: bool) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)}, retry_after=retry_after)
        self.locked = locked
        if locked:
            self.slug, self.title = "link-locked", "Linking locked"


@dataclasses.dataclass(frozen=True)
class Subject:
    """Whom a count is about: the resident, or the case (``what`` is how a refusal names it)."""

    column: object
    value: str
    what: str


def check_link_allowed(session: Session, *, resident_id: str, case_key: str) -> None:
    """Raise ``LinkAttemptsRefused`` if the resident or the case is throttled or locked out now."""
    now = clock.now()
    for subject in (
        Subject(LinkFailure.resident_id, resident_id, "from this account"),
        Subject(LinkFailure.case_key, case_key, "for this case"),
    ):
        recent = list(
            session.scalars(
                select(LinkFailure.failed_at)
                .where(subject.column == subject.value, LinkFailure.failed_at > now - LOCK_WINDOW)
                .order_by(LinkFailure.failed_at.desc())
                .limit(LOCK_AFTER)
            )
        )
        if len(recent) >= LOCK_AFTER:
            until = recent[LOCK_AFTER - 1] + LOCK_WINDOW
            raise LinkAttemptsRefused(
                f"Linking is locked {subject.what} after {LOCK_AFTER} refused attempts within 24 hours, until "
                f"{until:%Y-%m-%d %H:%M} UTC. If the case is yours, call the agency on its letter.",
                retry_after=_seconds(until - now),
                locked=True,
            )
        within = [moment for moment in recent if moment > now - THROTTLE_WINDOW]
        if len(within) >= THROTTLE_AFTER:
            until = within[THROTTLE_AFTER - 1] + THROTTLE_WINDOW
            raise LinkAttemptsRefused(
                f"Too many refused attempts to link a record {subject.what}: at most {THROTTLE_AFTER} in 15 "
                "minutes. Check the case number and the code on the letter, and try again later.",
                retry_after=_seconds(until - now),
                locked=False,
            )


def record_link_failure(session: Session, *, resident_id: str, case_key: str, kind: str) -> None:
    """Count one refused attempt (its caller commits it before answering: the refusal must count)."""
    session.add(LinkFailure(resident_id=resident_id, case_key=case_key, kind=kind, failed_at=clock.now()))


def prune_link_failures(session: Session) -> int:
    """Forget refused attempts older than the lockout window: they no longer count."""
    stmt = delete(LinkFailure).where(LinkFailure.failed_at < clock.now() - LOCK_WINDOW)
    return session.execute(stmt).rowcount or 0


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


@job("identity.prune_link_failures", every_seconds=3600)
def prune_link_failures_job(hub: Hub) -> int:
    with hub.session() as session:
        pruned = prune_link_failures(session)
        session.commit()
    return pruned
