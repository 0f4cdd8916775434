"""Pushes are decided when they are sent: previews, consent, category, quiet hours, language and the device's
owner are read at send time, and support's resend obeys the resident's settings of now."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, update

from notifications.delivery import queue_resend, send_due_deliveries
from notifications.dispatch import dispatch_outbox
from notifications.preferences import update_preferences
from services import clock
from services.devices import register_device
from services.identity.consent import set_consent
from services.models.identity import Resident
from services.models.notifications import Device, NotificationMessage, PushDelivery
from tests.factories import (
    approved_event,
    create_devices,
    create_events,
    create_notification,
    create_resident,
    create_staff,
    interview_missed_event,
)

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 09:00 in Chicago
NIGHT = dt.datetime(2026, 3, 3, 4, 0, tzinfo=dt.UTC)  # 22:00 in Chicago
MORNING = dt.datetime(2026, 3, 3, 13, 0, tzinfo=dt.UTC)  # 07:00 in Chicago
PRIVATE = {"title": "Benefits update", "body": "You have an update about your benefits"}


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(T0)
    yield
    clock.set_now(None)


def deliveries(session, **filters) -> list[PushDelivery]:
    session.expire_all()
    return list(session.scalars(select(PushDelivery).filter_by(**filters).order_by(PushDelivery.send_round)))


def the_message(session, resident) -> NotificationMessage:
    session.expire_all()
    return session.scalars(select(NotificationMessage).where(NotificationMessage.resident_id == resident.id)).one()


def dispatched(hub, session, resident, *events) -> NotificationMessage:
    create_events(session, resident, *(events or (approved_event(),)))
    dispatch_outbox(hub)
    return the_message(session, resident)


# -- previews ---------------------------------------------------------------------------------------------------


def test_previews_switched_off_after_dispatch_keep_the_program_off_the_lock_screen(
    hub, db_session, fcm_transport, fcm_server
):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-000001"])
    update_preferences(db_session, maria.id, detailed_previews=True)
    dispatched(hub, db_session, maria)

    update_preferences(db_session, maria.id, detailed_previews=False)
    send_due_deliveries(hub)

    [call] = fcm_server.accepted
    assert call.notification == PRIVATE


def test_previews_switched_on_after_dispatch_show_the_details(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-000002"])
    dispatched(hub, db_session, maria)

    update_preferences(db_session, maria.id, detailed_previews=True)
    send_due_deliveries(hub)

    [call] = fcm_server.accepted
    assert "SNAP" in call.notification["title"] + call.notification["body"]


def test_the_lock_screen_speaks_the_language_the_resident_has_when_it_is_sent(
    hub, db_session, fcm_transport, fcm_server
):
    ana = create_resident(db_session)
    create_devices(db_session, ana, ["ana-phone-token-000003"])
    message = dispatched(hub, db_session, ana)
    assert message.locale == "en"

    db_session.get(Resident, ana.id).locale = "es"
    db_session.commit()
    send_due_deliveries(hub)

    [call] = fcm_server.accepted
    assert call.notification == {"title": "Novedad de beneficios", "body": "Tienes una novedad sobre tus beneficios"}


def test_a_message_kept_without_its_parameters_gets_the_private_text_even_with_previews(
    hub, db_session, fcm_transport, fcm_server
):
    """Messages written before send-time rendering (migration 0009) kept no raw values to fill a detailed text."""
    maria = create_resident(db_session)
    [phone] = create_devices(db_session, maria, ["maria-phone-token-000004"])
    message = create_notification(db_session, maria, [phone])
    message.params = None
    db_session.commit()
    update_preferences(db_session, maria.id, detailed_previews=True)

    send_due_deliveries(hub)

    [call] = fcm_server.accepted
    assert call.notification == PRIVATE


# -- consent, category, device ---------------------------------------------------------------------------------


def test_consent_withdrawn_while_quiet_hours_hold_a_push_cancels_it_and_support_sees_why(
    client, hub, db_session, fcm_transport, fcm_server
):
    clock.set_now(NIGHT)
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-000005"])
    update_preferences(db_session, maria.id, quiet_hours=(dt.time(21, 0), dt.time(7, 0)))
    dispatched(hub, db_session, maria, approved_event(agency="DHS"))
    assert send_due_deliveries(hub).sent == 0  # held until 07:00

    set_consent(db_session, maria.id, "DHS", False)
    db_session.commit()
    clock.set_now(MORNING)
    report = send_due_deliveries(hub)

    assert (report.sent, report.cancelled) == (0, 1)
    assert fcm_server.calls == []
    [row] = deliveries(db_session)
    assert (row.state, row.error_code, row.attempts) == ("cancelled", "consent_withdrawn", 0)
    # A supervisor breaking glass sees the withheld message, and why its push never went out.
    clock.set_now(None)  # staff tokens are checked against the real time
    omar = create_staff(hub, "supervisor")
    body = client.get(
        f"/v1/admin/residents/{maria.id}/notifications", headers=omar.admin_headers(**{"X-Break-Glass": "true"})
    ).get_json()
    [message] = body["data"]
    assert [(d["state"], d["error_code"]) for d in message["deliveries"]] == [("cancelled", "consent_withdrawn")]


def test_a_category_switched_off_before_a_retry_stops_the_retry_and_support_sees_why(
    client, hub, db_session, fcm_transport, fcm_server
):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["busy-phone-token-000006"])
    dispatched(hub, db_session, maria)
    fcm_server.fail_next("busy-phone-token-000006", 1, "QUOTA_EXCEEDED")
    assert send_due_deliveries(hub).retried == 1

    update_preferences(db_session, maria.id, categories={"status": False})
    clock.set_now(T0 + dt.timedelta(hours=2))
    report = send_due_deliveries(hub)

    assert (report.sent, report.cancelled) == (0, 1)
    assert fcm_server.attempts("busy-phone-token-000006") == 1
    [row] = deliveries(db_session)
    assert (row.state, row.error_code, row.attempts) == ("cancelled", "category_disabled", 1)
    clock.set_now(None)  # staff tokens are checked against the real time
    sophie = create_staff(hub, "support")
    [message] = client.get(f"/v1/admin/residents/{maria.id}/notifications", headers=sophie.admin_headers()).get_json()[
        "data"
    ]
    assert [(d["state"], d["error_code"]) for d in message["deliveries"]] == [("cancelled", "category_disabled")]


class RegisteringTransport:
    """While the first batch is in flight, the tablet's token is registered by another resident."""

    name = "registering"

    def __init__(self, inner, hub, move) -> None:
        self.inner, self.hub, self.move = inner, hub, move

    def send(self, messages, **streaming):
        if self.move:
            with self.hub.session() as session:
                self.move(session)
            self.move = None
        return self.inner.send(messages, **streaming)


def test_a_device_moved_to_another_resident_before_a_retry_is_cancelled_as_moved(
    hub, db_session, fcm_transport, fcm_server
):
    maria, ana = create_resident(db_session), create_resident(db_session)
    create_devices(db_session, maria, ["shared-tablet-token-000007"])
    dispatched(hub, db_session, maria)
    fcm_server.fail_next("shared-tablet-token-000007", 1, "QUOTA_EXCEEDED")

    def ana_registers_the_tablet(session):
        register_device(
            session,
            resident_id=ana.id,
            session_id=None,
            platform="android",
            push_token="shared-tablet-token-000007",
            app_id="gov.state.benefits",
            locale="en",
        )

    send_due_deliveries(hub, transport=RegisteringTransport(fcm_transport, hub, ana_registers_the_tablet))
    [row] = deliveries(db_session)
    assert row.state == "queued"  # it was being sent when the token moved: only its retry is left

    clock.set_now(T0 + dt.timedelta(hours=2))
    report = send_due_deliveries(hub)

    assert report.cancelled == 1 and fcm_server.accepted == []
    [row] = deliveries(db_session)
    assert (row.state, row.error_code) == ("cancelled", "device_moved")


def test_quiet_hours_switched_on_after_dispatch_hold_a_push_until_they_end(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-000008"])
    clock.set_now(NIGHT)
    create_events(db_session, maria, approved_event(), interview_missed_event())
    dispatch_outbox(hub)

    update_preferences(db_session, maria.id, quiet_hours=(dt.time(21, 0), dt.time(7, 0)))
    report = send_due_deliveries(hub)

    assert (report.sent, report.held) == (1, 1)
    assert [call.data["category"] for call in fcm_server.accepted] == ["interviews"]  # urgent goes at once
    [held] = [row for row in deliveries(db_session) if row.state == "queued"]
    assert (held.not_before, held.next_attempt_at, held.attempts) == (MORNING, MORNING, 0)
    clock.set_now(MORNING)
    assert send_due_deliveries(hub).sent == 1


def test_a_batch_is_decided_in_a_constant_number_of_statements(hub, test_database, db_session, fcm_transport):
    """No query per push: 3 residents or 40 residents, each with a message and two phones, cost the same."""

    def statements_for(residents: int) -> int:
        for number in range(residents):
            resident = create_resident(db_session)
            update_preferences(db_session, resident.id, detailed_previews=number % 2 == 0)
            set_consent(db_session, resident.id, "HFS", False)
            db_session.commit()
            phones = create_devices(
                db_session, resident, [f"count-{residents}-{number}-a", f"count-{residents}-{number}-b"]
            )
            create_notification(db_session, resident, phones)
        executed = []

        def record(conn, cursor, statement, parameters, context, executemany):
            executed.append(statement)

        event.listen(test_database.engine, "before_cursor_execute", record)
        try:
            report = send_due_deliveries(hub)
        finally:
            event.remove(test_database.engine, "before_cursor_execute", record)
        assert report.sent == residents * 2
        return len([statement for statement in executed if statement.lstrip().upper().startswith("SELECT")])

    assert statements_for(3) == statements_for(40)


# -- support's resend -------------------------------------------------------------------------------------------


def sent_message(hub, session, fcm_server, resident, tokens, *events) -> NotificationMessage:
    create_devices(session, resident, tokens)
    message = dispatched(hub, session, resident, *events)
    send_due_deliveries(hub)
    fcm_server.reset()
    return message


def test_a_resend_after_previews_changed_renders_the_lock_screen_of_now(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    update_preferences(db_session, maria.id, detailed_previews=True)
    message = sent_message(hub, db_session, fcm_server, maria, ["maria-phone-token-000009"])

    update_preferences(db_session, maria.id, detailed_previews=False)
    queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")
    hub.runner.run_pending()

    [call] = fcm_server.accepted
    assert call.notification == PRIVATE


def test_a_resend_of_a_category_switched_off_is_recorded_cancelled_and_sends_nothing(
    hub, db_session, fcm_transport, fcm_server
):
    maria = create_resident(db_session)
    message = sent_message(hub, db_session, fcm_server, maria, ["maria-phone-token-000010"])

    update_preferences(db_session, maria.id, categories={"status": False})
    [resent] = queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")

    assert (resent.send_round, resent.state, resent.error_code) == (1, "cancelled", "category_disabled")
    assert hub.runner.pending == []  # nothing to send
    send_due_deliveries(hub)
    assert fcm_server.calls == []


def test_consent_withdrawn_after_a_resend_was_queued_cancels_it(hub, db_session, fcm_transport, fcm_server):
    maria = create_resident(db_session)
    message = sent_message(hub, db_session, fcm_server, maria, ["maria-phone-token-000011"])
    queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")

    set_consent(db_session, maria.id, "DHS", False)
    db_session.commit()
    hub.runner.run_pending()

    assert fcm_server.calls == []
    [_, resent] = deliveries(db_session)
    assert (resent.kind, resent.state, resent.error_code) == ("resend", "cancelled", "consent_withdrawn")


def test_a_resend_after_a_device_moved_goes_only_to_the_residents_own_devices(
    hub, db_session, fcm_transport, fcm_server
):
    maria, ana = create_resident(db_session), create_resident(db_session)
    message = sent_message(
        hub, db_session, fcm_server, maria, ["maria-phone-token-000012", "family-tablet-token-000012"]
    )
    register_device(
        db_session,
        resident_id=ana.id,
        session_id=None,
        platform="android",
        push_token="family-tablet-token-000012",
        app_id="gov.state.benefits",
        locale="en",
    )

    queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")
    hub.runner.run_pending()

    assert [call.token for call in fcm_server.accepted] == ["maria-phone-token-000012"]


def test_a_device_moved_after_a_resend_was_queued_is_cancelled_as_moved(hub, db_session, fcm_transport, fcm_server):
    maria, ana = create_resident(db_session), create_resident(db_session)
    message = sent_message(hub, db_session, fcm_server, maria, ["family-tablet-token-000013"])
    [resent] = queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")

    # The tablet changes hands while support's round waits; whatever path moved it, the send checks the owner.
    db_session.execute(update(Device).where(Device.id == resent.device_id).values(resident_id=ana.id))
    db_session.commit()
    report = send_due_deliveries(hub)

    assert report.cancelled == 1 and fcm_server.calls == []
    [_, resent] = deliveries(db_session)
    assert (resent.state, resent.error_code) == ("cancelled", "device_moved")


def test_a_resend_in_quiet_hours_waits_for_them_to_end_unless_the_message_is_urgent(
    hub, db_session, fcm_transport, fcm_server
):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["maria-phone-token-000014"])
    create_events(db_session, maria, approved_event(), interview_missed_event())
    dispatch_outbox(hub)
    send_due_deliveries(hub)
    fcm_server.reset()
    calm, urgent = sorted(
        db_session.scalars(select(NotificationMessage).where(NotificationMessage.resident_id == maria.id)),
        key=lambda message: message.urgent,
    )

    update_preferences(db_session, maria.id, quiet_hours=(dt.time(21, 0), dt.time(7, 0)))
    clock.set_now(NIGHT)
    [held] = queue_resend(db_session, hub.runner, calm.id, requested_by="staff:sophie")
    [now] = queue_resend(db_session, hub.runner, urgent.id, requested_by="staff:sophie")
    hub.runner.run_pending()

    assert (held.state, held.not_before) == ("queued", MORNING)
    assert (now.state, now.not_before) == ("queued", None)
    assert [call.data["message_id"] for call in fcm_server.accepted] == [urgent.id]
    clock.set_now(MORNING)
    send_due_deliveries(hub)
    assert [call.data["message_id"] for call in fcm_server.accepted] == [urgent.id, calm.id]
