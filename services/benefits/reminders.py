"""The scheduled reminder scan, a producer of the outbox (``services/outbox.py``): renewal due in 30/14/3 days, a
document due in 7/1 days, an interview tomorrow. Each becomes an outbox event whose dedupe key names its threshold,
written with "insert unless present", so a scan that runs twice (or on two schedulers at once) writes each
reminder once. The job that runs it hourly and dispatches what it wrote is ``notifications.dispatch.reminders_job``.

A scan that was not run on the exact day still sends the nearest reminder that applies: 10 days before a
renewal it sends the 14-day one ("within 14 days"; ``days_left`` is the threshold, as the rules expect), and
never the 30-day one it missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.db import commits
from services.models.benefits import Benefit, BenefitAction
from services.models.documents import LIVE_STATUSES, DocumentUpload, InterviewAppointment
from services.models.outbox import OutboxEvent
from services.outbox import (
    REMINDER_DOCUMENT_DUE,
    REMINDER_INTERVIEW_TOMORROW,
    REMINDER_RENEWAL_DUE,
    DomainEvent,
    write_events,
)
from services.vocabulary import STATE_ZONE

RENEWAL_REMINDER_DAYS = (30, 14, 3)  # the ``days_left`` of ``reminder.renewal_due``; the last is urgent
DOCUMENT_REMINDER_DAYS = (7, 1)  # the ``days_left`` of ``reminder.document_due``; the last is urgent

_ENDED = ("denied", "closed")


def threshold_for(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The reminder that applies ``days_left`` days ahead: the smallest threshold not below it (none on the
    due date itself: "due in 1 day" would then be wrong, and overdue has its own message)."""
    if days_left < 1:
        return None
    fitting = [days for days in thresholds if days_left <= days]
    return min(fitting) if fitting else None


@commits
def write_due_reminders(session: Session, *, today: dt.date | None = None) -> int:
    """Write the reminders due ``today`` (the state's local date by default); returns how many were new. Commits:
    a scan is a unit of work of its own, whoever runs it (the hourly job, a test)."""
    today = today or clock.now().astimezone(STATE_ZONE).date()
    by_resident: dict[str, list[DomainEvent]] = {}
    for scan in (_renewal_reminders, _document_reminders, _interview_reminders):
        for resident_id, event in scan(session, today):
            by_resident.setdefault(resident_id, []).append(event)
    keys = [event.dedupe_key for events in by_resident.values() for event in events]
    known = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        known.update(session.scalars(select(OutboxEvent.dedupe_key).where(OutboxEvent.dedupe_key.in_(chunk))))
    written = 0
    for resident_id, events in by_resident.items():
        new = [event for event in events if event.dedupe_key not in known]
        if new:
            write_events(session, resident_id, new)  # skips a key a concurrent scan wrote meanwhile
            written += len(new)
    session.commit()
    return written


def _renewal_reminders(session: Session, today: dt.date) -> Iterator[tuple[str, DomainEvent]]:
    horizon = today + dt.timedelta(days=max(RENEWAL_REMINDER_DAYS))
    benefits = session.scalars(
        select(Benefit).where(
            Benefit.renewal_due_on.is_not(None),
            Benefit.renewal_due_on > today,
            Benefit.renewal_due_on <= horizon,
            Benefit.status.not_in(_ENDED),
        )
    )
    for benefit in benefits:
        threshold = threshold_for((benefit.renewal_due_on - today).days, RENEWAL_REMINDER_DAYS)
        due = benefit.renewal_due_on.isoformat()
        yield _event(
            REMINDER_RENEWAL_DUE,
            f"{REMINDER_RENEWAL_DUE}:{benefit.id}:{due}:{threshold}",
            benefit,
            renewal_due_on=due,
            days_left=threshold,
        )


def _document_reminders(session: Session, today: dt.date) -> Iterator[tuple[str, DomainEvent]]:
    """Open document actions due soon for which nothing is on its way: an upload submitted, received or accepted
    stops them; one that was rejected does not (the resident must send another, so they start again)."""
    sent = select(DocumentUpload.id).where(
        DocumentUpload.action_id == BenefitAction.id, DocumentUpload.status.in_(LIVE_STATUSES)
    )
    horizon = today + dt.timedelta(days=max(DOCUMENT_REMINDER_DAYS))
    rows = session.execute(
        select(BenefitAction, Benefit)
        .join(Benefit, Benefit.id == BenefitAction.benefit_id)
        .where(
            BenefitAction.kind == "document",
            BenefitAction.state == "open",
            BenefitAction.due_on.is_not(None),
            BenefitAction.due_on > today,
            BenefitAction.due_on <= horizon,
            ~sent.exists(),
        )
    )
    for action, benefit in rows:
        threshold = threshold_for((action.due_on - today).days, DOCUMENT_REMINDER_DAYS)
        due = action.due_on.isoformat()
        yield _event(
            REMINDER_DOCUMENT_DUE,
            f"{REMINDER_DOCUMENT_DUE}:{action.id}:{due}:{threshold}",
            benefit,
            action_id=action.id,
            due_on=due,
            days_left=threshold,
            title=action.title,
        )


def _interview_reminders(session: Session, today: dt.date) -> Iterator[tuple[str, DomainEvent]]:
    """Interviews tomorrow in the state's local time (the agency's appointment clock), at the time the resident
    booked when they booked one (``services/interviews.py``), else at the agency's scheduled time."""
    local = STATE_ZONE
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=local)
    when = func.coalesce(InterviewAppointment.starts_at, BenefitAction.scheduled_at)
    rows = session.execute(
        select(BenefitAction, Benefit, InterviewAppointment.starts_at)
        .join(Benefit, Benefit.id == BenefitAction.benefit_id)
        .outerjoin(InterviewAppointment, InterviewAppointment.action_id == BenefitAction.id)
        .where(
            BenefitAction.kind == "interview",
            BenefitAction.state == "open",
            when >= tomorrow,
            when < tomorrow + dt.timedelta(days=1),
        )
    )
    for action, benefit, booked in rows:
        scheduled = (booked or action.scheduled_at).astimezone(local).isoformat()
        yield _event(
            REMINDER_INTERVIEW_TOMORROW,
            f"{REMINDER_INTERVIEW_TOMORROW}:{action.id}:{scheduled}",
            benefit,
            action_id=action.id,
            scheduled_at=scheduled,
            title=action.title,
        )


def _event(event_type: str, dedupe_key: str, benefit: Benefit, **extra: Any) -> tuple[str, DomainEvent]:
    payload = {"benefit_id": benefit.id, "agency": benefit.agency, "program_code": benefit.program_code, **extra}
    return benefit.resident_id, DomainEvent(event_type, payload, dedupe_key)
