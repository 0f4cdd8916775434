"""Outbox → inbox messages → pushes: language, preferences, quiet hours, consent and dedupe."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from notifications.delivery import send_due_deliveries
from notifications.dispatch import dispatch_job, dispatch_outbox
from notifications.preferences import update_preferences
from services import clock
from services.identity.consent import set_consent
from services.models.notifications import NotificationMessage, PushDelivery
from services.models.outbox import OutboxEvent
from tests.factories import approved_event, create_devices, create_events, create_resident, interview_missed_event

# 15:00 UTC = 09:00 in Chicago (CST) on a Monday.
T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(T0)
    yield
    clock.set_now(None)


def messages(session, resident) -> list[NotificationMessage]:
    session.expire_all()
    return list(session.scalars(select(NotificationMessage).where(NotificationMessage.resident_id == resident.id)))


def deliveries(session) -> list[PushDelivery]:
    session.expire_all()
    return list(session.scalars(select(PushDelivery).order_by(PushDelivery.id)))


def test_an_event_lands_in_the_inbox_in_the_residents_language_and_is_pushed_to_each_device(
    hub, db_session, fcm_transport, fcm_server
):
    ana = create_resident(db_session, locale="es")
    create_devices(db_session, ana, ["ana-phone-token-aaaaaa", "ana-tablet-token-bbbbbb"])
    create_events(db_session, ana, approved_event())

    report = dispatch_outbox(hub)
    send_due_deliveries(hub)

    assert (report.events, report.messages, report.deliveries) == (1, 1, 2)
    [message] = messages(db_session, ana)
    assert message.locale == "es" and message.category == "status"
    assert "SNAP" in message.title or "SNAP" in message.body
    assert message.benefit_id == "benefit-snap-1"
    pushed = fcm_server.accepted
    assert sorted(call.token for call in pushed) == ["ana-phone-token-aaaaaa", "ana-tablet-token-bbbbbb"]
    # Private by default: the lock screen names no program.
    assert all("SNAP" not in str(call.notification) for call in pushed)
    assert pushed[0].data["message_id"] == message.id
    assert db_session.scalar(select(OutboxEvent.processed_at)) is not None


def test_detailed_previews_put_the_program_on_the_lock_screen(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-cccccc"])
    update_preferences(db_session, maria.id, detailed_previews=True)
    create_events(db_session, maria, approved_event())

    dispatch_outbox(hub)
    send_due_deliveries(hub)

    [call] = fcm_server.accepted
    assert "SNAP" in str(call.notification)


def test_a_disabled_category_still_reaches_the_inbox_but_is_not_pushed(hub, db_session, fcm_transport):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-dddddd"])
    update_preferences(db_session, maria.id, categories={"status": False})
    create_events(db_session, maria, approved_event())

    report = dispatch_outbox(hub)

    assert (report.messages, report.deliveries) == (1, 0)
    assert len(messages(db_session, maria)) == 1


def test_quiet_hours_hold_a_non_urgent_push_until_they_end_and_let_an_urgent_one_through(
    hub, db_session, fcm_transport, fcm_server
):
    clock.set_now(dt.datetime(2026, 3, 3, 4, 0, tzinfo=dt.UTC))  # 22:00 in Chicago
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-eeeeee"])
    update_preferences(db_session, maria.id, quiet_hours=(dt.time(21, 0), dt.time(7, 0)))
    create_events(db_session, maria, approved_event(), interview_missed_event())

    dispatch_outbox(hub)
    assert len(messages(db_session, maria)) == 2  # the inbox has both at once
    send_due_deliveries(hub)

    assert [call.data["category"] for call in fcm_server.accepted] == ["interviews"]  # urgent: now
    held = [row for row in deliveries(db_session) if row.state == "queued"]
    [held] = held
    assert held.not_before == held.next_attempt_at == dt.datetime(2026, 3, 3, 13, 0, tzinfo=dt.UTC)  # 07:00 CST

    clock.set_now(held.not_before)
    send_due_deliveries(hub)
    assert sorted(call.data["category"] for call in fcm_server.accepted) == ["interviews", "status"]


def test_no_message_at_all_about_an_agency_the_resident_stopped_sharing(hub, db_session, fcm_transport):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-ffffff"])
    set_consent(db_session, maria.id, "DHS", False)
    db_session.commit()
    create_events(
        db_session, maria, approved_event(agency="DHS"), approved_event(benefit_id="benefit-medicaid", agency="HFS")
    )

    report = dispatch_outbox(hub)

    assert report.without_consent == 1
    assert [message.agency for message in messages(db_session, maria)] == ["HFS"]


def test_the_same_event_processed_twice_makes_one_message_and_one_push_per_device(
    hub, db_session, fcm_transport, fcm_server
):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-gggggg", "maria-tablet-token-hhhhhh"])
    create_events(db_session, maria, approved_event())
    create_events(db_session, maria, approved_event())  # sync saw the same change twice: the outbox keeps one

    dispatch_outbox(hub)
    send_due_deliveries(hub)
    db_session.execute(update(OutboxEvent).values(processed_at=None))  # as if a crash lost our commit of it
    db_session.commit()
    again = dispatch_outbox(hub)
    dispatch_outbox(hub)
    send_due_deliveries(hub)

    assert (again.events, again.messages, again.duplicates) == (1, 0, 1)
    assert len(messages(db_session, maria)) == 1
    assert len(deliveries(db_session)) == 2
    assert sorted(call.token for call in fcm_server.accepted) == [
        "maria-phone-token-gggggg",
        "maria-tablet-token-hhhhhh",
    ]


def test_the_dispatch_job_queues_a_send_when_it_wrote_deliveries(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-iiiiii"])
    create_events(db_session, maria, approved_event())

    dispatch_job(hub)
    assert hub.runner.pending == [("notifications.send_deliveries", {})]
    hub.runner.run_pending()

    assert len(fcm_server.accepted) == 1


def test_each_committed_batch_is_told_while_the_rest_of_the_outbox_waits(hub, db_session):
    """The dispatch job queues a send per committed batch, so the first pushes leave before the outbox is done."""
    residents = [create_resident(db_session) for _ in range(3)]
    for number, resident in enumerate(residents):
        create_devices(db_session, resident, [f"batch-{number}-token-aaaaaa", f"batch-{number}-token-bbbbbb"])
        create_events(db_session, resident, approved_event(benefit_id=f"benefit-snap-{number}"))
    told = []

    def on_batch(batch):
        with hub.session() as session:  # committed: another process sees it
            waiting = session.scalar(select(func.count()).where(OutboxEvent.processed_at.is_(None)))
        told.append((batch.events, batch.deliveries, waiting))

    report = dispatch_outbox(hub, batch_size=2, on_batch=on_batch)

    assert told == [(2, 4, 1), (1, 2, 0)]
    assert (report.events, report.deliveries) == (3, 6)
