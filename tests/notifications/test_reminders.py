"""The scheduled reminder scan: each threshold once, however often the scheduler runs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from notifications.dispatch import dispatch_outbox, reminders_job
from services import clock
from services.benefits.reminders import threshold_for, write_due_reminders
from services.models.benefits import Benefit, BenefitAction
from services.models.notifications import NotificationMessage
from services.models.outbox import OutboxEvent
from tests.factories import create_resident

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))  # 09:00 in Chicago
    yield
    clock.set_now(None)


def add_benefit(session, resident, *, renewal_due_on=None, status="active") -> Benefit:
    benefit = Benefit(
        resident_id=resident.id,
        agency="HFS",
        source_key=f"hfs-{resident.id}",
        program_code="MEDICAID",
        case_number="HFS-1234",
        status=status,
        renewal_due_on=renewal_due_on,
        document={},
    )
    session.add(benefit)
    session.commit()
    return benefit


def add_action(session, benefit, *, kind, due_on=None, scheduled_at=None, state="open") -> BenefitAction:
    action = BenefitAction(
        benefit_id=benefit.id,
        resident_id=benefit.resident_id,
        agency=benefit.agency,
        program_code=benefit.program_code,
        source_key=f"{kind}-1",
        kind=kind,
        title="Proof of income",
        state=state,
        due_on=due_on,
        scheduled_at=scheduled_at,
        sort_on=due_on or TODAY,
    )
    session.add(action)
    session.commit()
    return action


def outbox(session) -> list[tuple[str, int | None]]:
    session.expire_all()
    rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
    return [(row.type, row.payload.get("days_left")) for row in rows]


@pytest.mark.parametrize(
    ("days", "expected"), [(31, None), (30, 30), (15, 30), (14, 14), (10, 14), (3, 3), (1, 3), (0, None), (-2, None)]
)
def test_the_nearest_renewal_threshold_applies(days, expected):
    assert threshold_for(days, (30, 14, 3)) == expected


def test_each_reminder_is_written_once_even_when_the_scan_runs_twice(hub, db_session):
    maria = create_resident(db_session)
    medicaid = add_benefit(db_session, maria, renewal_due_on=TODAY + dt.timedelta(days=30))
    add_action(db_session, medicaid, kind="document", due_on=TODAY + dt.timedelta(days=7))
    add_action(db_session, medicaid, kind="interview", scheduled_at=dt.datetime(2026, 3, 3, 15, 30, tzinfo=dt.UTC))

    assert write_due_reminders(db_session) == 3
    assert write_due_reminders(db_session) == 0

    assert sorted(outbox(db_session), key=str) == sorted(
        [("reminder.renewal_due", 30), ("reminder.document_due", 7), ("reminder.interview_tomorrow", None)], key=str
    )


def test_later_thresholds_come_once_each_as_the_days_pass(hub, db_session):
    maria = create_resident(db_session)
    add_benefit(db_session, maria, renewal_due_on=TODAY + dt.timedelta(days=30))

    for day in range(31):
        write_due_reminders(db_session, today=TODAY + dt.timedelta(days=day))

    assert outbox(db_session) == [
        ("reminder.renewal_due", 30),
        ("reminder.renewal_due", 14),
        ("reminder.renewal_due", 3),
    ]


def test_reminders_become_inbox_messages_and_ended_benefits_get_none(hub, db_session):
    maria = create_resident(db_session)
    add_benefit(db_session, maria, renewal_due_on=TODAY + dt.timedelta(days=3))
    closed = create_resident(db_session)
    add_benefit(db_session, closed, renewal_due_on=TODAY + dt.timedelta(days=3), status="closed")

    write_due_reminders(db_session)
    dispatch_outbox(hub)

    [message] = db_session.scalars(select(NotificationMessage))
    assert (message.resident_id, message.template_key, message.urgent) == (maria.id, "renewals.reminder_3", True)


def test_the_reminders_job_queues_a_dispatch_when_it_wrote_something(hub, db_session):
    maria = create_resident(db_session)
    add_benefit(db_session, maria, renewal_due_on=TODAY + dt.timedelta(days=14))

    reminders_job(hub)
    reminders_job(hub)

    assert hub.runner.pending == [("notifications.dispatch", {})]
    assert outbox(db_session) == [("reminder.renewal_due", 14)]
