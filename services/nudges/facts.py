"""What the hub knows that the nudge rules read, for one resident, from the agencies they share only.

Plain frozen values (the rules in ``rules.py`` are pure functions of them), read in a handful of statements by
``facts_for``: the resident's verified date of birth (decrypted for the evaluation, never kept), the benefits and
actions of the agencies shown (linked and not withheld: ``services.visibility``), whether each action has an
upload on its way or a booked interview, and each agency's day. Nothing here is stored.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import clock
from services.identity.field_crypto import FieldCipher
from services.models.benefits import Benefit, BenefitAction, BenefitSource
from services.models.documents import LIVE_STATUSES, DocumentUpload, InterviewAppointment
from services.models.identity import Resident
from services.visibility import visibility_of
from services.vocabulary import STATE_ZONE


@dataclasses.dataclass(frozen=True)
class BenefitFact:
    id: str
    agency: str
    program_code: str
    status: str
    started_on: dt.date | None = None  # the earliest day the agency's history shows (an application's date)
    status_since: dt.date | None = None
    children_born: tuple[dt.date | None, ...] = ()  # the household's children's dates of birth (DHS cases)


@dataclasses.dataclass(frozen=True)
class ActionFact:
    id: str
    benefit_id: str
    agency: str
    program_code: str
    kind: str
    state: str
    due_on: dt.date | None = None
    scheduled_at: dt.datetime | None = None
    uploaded: bool = False  # an upload submitted, received or accepted through the app
    booked: bool = False  # an interview time booked through the app


@dataclasses.dataclass(frozen=True)
class Facts:
    """``shared``: agencies not withheld (linked or not); ``shown``: linked and not withheld, whose records these
    are. ``days``: each shown agency's day; ``today``: the state's date, for any other."""

    today: dt.date
    shared: frozenset[str]
    shown: frozenset[str]
    birthdate: dt.date | None = None
    benefits: tuple[BenefitFact, ...] = ()
    actions: tuple[ActionFact, ...] = ()
    days: dict[str, dt.date] = dataclasses.field(default_factory=dict)

    def day(self, agency: str) -> dt.date:
        """The day a rule judges ``agency``'s records on: the platform's day, i.e. the latest of the state's date
        and the days the resident's agencies' records describe. They agree in production; the sandbox's scenario
        clock runs ahead of the hub's, and DCEO's feed carries no date of its own, so another agency's tells it."""
        return max(self.today, *self.days.values()) if self.days else self.today


def facts_for(session: Session, resident_id: str, cipher: FieldCipher) -> Facts:
    visibility = visibility_of(session, resident_id)
    shown = frozenset(visibility.shown)
    resident = session.get(Resident, resident_id)
    birthdate = None
    if resident is not None and resident.identity_verified and resident.birthdate_encrypted:
        birthdate = _date(cipher.decrypt(resident.birthdate_encrypted))
    today = clock.now().astimezone(STATE_ZONE).date()
    if not shown:
        return Facts(today, frozenset(visibility.shared), shown, birthdate)
    days = {
        agency: _local_day(view_at)
        for agency, view_at in session.execute(
            select(BenefitSource.agency, BenefitSource.view_at).where(
                BenefitSource.resident_id == resident_id, BenefitSource.agency.in_(shown)
            )
        )
        if view_at is not None
    }
    benefits = tuple(
        _benefit(row)
        for row in session.scalars(
            select(Benefit).where(Benefit.resident_id == resident_id, Benefit.agency.in_(shown)).order_by(Benefit.id)
        )
    )
    uploaded = select(DocumentUpload.id).where(
        DocumentUpload.action_id == BenefitAction.id, DocumentUpload.status.in_(LIVE_STATUSES)
    )
    booked = select(InterviewAppointment.id).where(InterviewAppointment.action_id == BenefitAction.id)
    actions = tuple(
        ActionFact(
            action.id,
            action.benefit_id,
            action.agency,
            action.program_code,
            action.kind,
            action.state,
            action.due_on,
            action.scheduled_at,
            bool(has_upload),
            bool(has_booking),
        )
        for action, has_upload, has_booking in session.execute(
            select(BenefitAction, uploaded.exists(), booked.exists())
            .where(BenefitAction.resident_id == resident_id, BenefitAction.agency.in_(shown))
            .order_by(BenefitAction.id)
        )
    )
    return Facts(today, frozenset(visibility.shared), shown, birthdate, benefits, actions, days)


def _benefit(row: Benefit) -> BenefitFact:
    document = row.document or {}
    steps = [_date(step.get("on")) for step in document.get("history") or ()]
    known = [day for day in steps if day is not None]
    since = _date(document.get("status_since"))
    children = tuple(
        _date(member.get("birthdate"))
        for member in document.get("household") or ()
        if member.get("relationship") == "child"
    )
    return BenefitFact(
        row.id,
        row.agency,
        row.program_code,
        row.status,
        min(known) if known else since,
        since,
        children,
    )


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _local_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:  # SQLite hands datetimes back without their zone; the hub writes UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(STATE_ZONE).date()
