"""Sending queued deliveries through real firebase-admin to the fake FCM server: success, dead tokens,
retries with backoff, batches over 500, a worker that stops mid-run, resend, and secrets kept out of logs."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, select

from notifications import delivery
from notifications.delivery import SENDING_LEASE, queue_resend, send_due_deliveries
from services import clock
from services.models.notifications import Device, PushDelivery
from tests.factories import create_devices, create_notification, create_resident

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(T0)
    yield
    clock.set_now(None)


def deliveries(session, **filters) -> list[PushDelivery]:
    session.expire_all()
    stmt = select(PushDelivery).filter_by(**filters).order_by(PushDelivery.id)
    return list(session.scalars(stmt))


def test_queued_pushes_are_sent_and_recorded_with_the_fcm_message_id(hub, db_session, fcm_transport, fcm_server):
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, ["phone-token-aaaaaa", "tablet-token-bbbbbb"])
    message = create_notification(db_session, resident, devices)

    report = send_due_deliveries(hub)

    assert (report.sent, report.batches) == (2, 1)
    rows = deliveries(db_session)
    assert {row.state for row in rows} == {"sent"}
    assert all(row.provider_message_id.startswith("projects/benefits-hub-test/messages/") for row in rows)
    assert {call.token for call in fcm_server.accepted} == {"phone-token-aaaaaa", "tablet-token-bbbbbb"}
    call = fcm_server.accepted[0]
    assert call.data == {"message_id": message.id, "category": "notices"}
    assert call.notification == {"title": "Benefits update", "body": "You have an update about your benefits"}
    assert call.apns["headers"]["apns-collapse-id"] == message.id


def test_a_dead_token_deactivates_its_device_and_cancels_its_other_pushes(hub, db_session, fcm_transport):
    resident = create_resident(db_session)
    dead, alive = create_devices(db_session, resident, ["dead-token-111111", "live-token-222222"])
    create_notification(db_session, resident, [dead, alive])
    later = create_notification(db_session, resident, [dead])
    db_session.execute(
        PushDelivery.__table__.update()
        .where(PushDelivery.message_id == later.id)
        .values(next_attempt_at=T0 + dt.timedelta(hours=1))
    )
    db_session.commit()

    report = send_due_deliveries(hub)

    assert (report.sent, report.token_invalid) == (1, 1)
    [invalid] = deliveries(db_session, state="token_invalid")
    assert invalid.device_id == dead.id and invalid.error_code == "UNREGISTERED"
    db_session.refresh(dead)
    assert not dead.active and dead.deactivated_reason == "token_invalid"
    [cancelled] = deliveries(db_session, message_id=later.id)
    assert cancelled.state == "cancelled"


def test_an_invalid_token_answer_also_deactivates_the_device(hub, db_session, fcm_transport):
    resident = create_resident(db_session)
    [device] = create_devices(db_session, resident, ["invalid-token-333333"])
    create_notification(db_session, resident, [device])

    send_due_deliveries(hub)

    db_session.refresh(device)
    assert not device.active
    assert deliveries(db_session)[0].state == "token_invalid"


def test_quota_exceeded_is_retried_later_with_backoff_and_then_sent(hub, db_session, fcm_transport, fcm_server):
    resident = create_resident(db_session)
    [device] = create_devices(db_session, resident, ["busy-token-444444"])
    create_notification(db_session, resident, [device])
    fcm_server.fail_next("busy-token-444444", 1, "QUOTA_EXCEEDED")

    first = send_due_deliveries(hub)
    [row] = deliveries(db_session)
    assert first.retried == 1
    assert (row.state, row.attempts, row.error_code) == ("queued", 1, "QUOTA_EXCEEDED")
    assert T0 + dt.timedelta(seconds=30) <= row.next_attempt_at <= T0 + dt.timedelta(seconds=36)

    assert send_due_deliveries(hub).sent == 0  # not due yet: nothing is hammered

    clock.set_now(row.next_attempt_at)
    assert send_due_deliveries(hub).sent == 1
    [row] = deliveries(db_session)
    assert (row.state, row.attempts, row.error_code) == ("sent", 2, None)
    assert fcm_server.attempts("busy-token-444444") == 2


def test_unavailable_keeps_retrying_until_the_attempts_run_out(hub, db_session, fcm_transport, fcm_server):
    resident = create_resident(db_session)
    [device] = create_devices(db_session, resident, ["unavailable-token-555555"])
    create_notification(db_session, resident, [device])

    for _ in range(delivery.MAX_ATTEMPTS):
        send_due_deliveries(hub)
        clock.set_now(clock.now() + delivery.BACKOFF_CAP * 2)

    [row] = deliveries(db_session)
    assert (row.state, row.attempts, row.error_code) == ("failed", delivery.MAX_ATTEMPTS, "UNAVAILABLE")
    assert fcm_server.attempts("unavailable-token-555555") == delivery.MAX_ATTEMPTS
    db_session.refresh(device)
    assert device.active  # a transient failure is no reason to forget the phone


def test_over_500_devices_go_in_batches_of_at_most_500_and_never_an_empty_one(
    hub, db_session, fcm_transport, fcm_server, monkeypatch
):
    batch_sizes = []
    real_send = fcm_transport.send

    def spy(messages, **streaming):
        batch_sizes.append(len(messages))
        return real_send(messages, **streaming)

    monkeypatch.setattr(fcm_transport, "send", spy)
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, [f"many-token-{n:06d}" for n in range(1100)])
    create_notification(db_session, resident, devices)

    report = send_due_deliveries(hub)

    assert batch_sizes == [500, 500, 100]
    assert report.sent == 1100
    assert len({call.token for call in fcm_server.accepted}) == 1100


class CrashingTransport:
    """Sends through the real transport, then "dies" (raises) when asked to send batch number ``crash_on``."""

    name = "crashing"

    def __init__(self, inner, crash_on: int) -> None:
        self.inner, self.crash_on, self.calls = inner, crash_on, 0

    def send(self, messages, **streaming):
        self.calls += 1
        if self.calls == self.crash_on:
            raise SystemExit("worker killed")
        return self.inner.send(messages, **streaming)


def test_a_worker_that_dies_mid_run_loses_nothing_and_a_restart_sends_nothing_twice(
    hub, db_session, fcm_transport, fcm_server
):
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, [f"crash-token-{n:06d}" for n in range(1200)])
    create_notification(db_session, resident, devices)

    with pytest.raises(SystemExit):
        send_due_deliveries(hub, transport=CrashingTransport(fcm_transport, crash_on=2))

    assert len(deliveries(db_session, state="sent")) == 500
    assert len(deliveries(db_session, state="sending")) == 500  # claimed by the dead worker
    assert len(deliveries(db_session, state="queued")) == 200

    restart = send_due_deliveries(hub)  # straight away: the dead worker's claim still holds
    assert restart.sent == 200
    assert len(deliveries(db_session, state="sending")) == 500

    clock.set_now(T0 + SENDING_LEASE + dt.timedelta(seconds=1))
    after_lease = send_due_deliveries(hub)
    assert (after_lease.reclaimed, after_lease.sent) == (500, 500)

    tokens = [call.token for call in fcm_server.accepted]
    assert len(tokens) == 1200 and len(set(tokens)) == 1200  # every phone once: nothing lost, nothing twice
    assert {row.state for row in deliveries(db_session)} == {"sent"}


def test_two_workers_at_once_never_send_the_same_push_twice(hub, db_session, fcm_transport, fcm_server):
    import threading

    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, [f"race-token-{n:06d}" for n in range(900)])
    create_notification(db_session, resident, devices)
    results = []

    def worker():
        results.append(send_due_deliveries(hub, batch_size=100))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(report.sent for report in results) == 900
    tokens = [call.token for call in fcm_server.accepted]
    assert len(tokens) == 900 and len(set(tokens)) == 900


def test_resend_adds_a_recorded_round_to_the_active_devices(hub, db_session, fcm_transport, fcm_server):
    resident = create_resident(db_session)
    phone, old_phone = create_devices(db_session, resident, ["resend-token-aaaaaa", "resend-token-bbbbbb"])
    message = create_notification(db_session, resident, [phone, old_phone])
    send_due_deliveries(hub)
    old_phone.active = False
    db_session.commit()

    new = queue_resend(db_session, hub.runner, message.id, requested_by="staff:sophie")

    assert [(row.device_id, row.send_round, row.kind) for row in new] == [(phone.id, 1, "resend")]
    assert hub.runner.pending == [("notifications.send_deliveries", {})]
    hub.runner.run_pending()
    rounds = sorted((row.send_round, row.state) for row in deliveries(db_session, device_id=phone.id))
    assert rounds == [(0, "sent"), (1, "sent")]
    assert [call.token for call in fcm_server.accepted].count("resend-token-aaaaaa") == 2


def test_a_device_moved_to_another_resident_gets_none_of_the_first_residents_queued_pushes(
    hub, db_session, fcm_transport, fcm_server
):
    from services.devices import register_device

    maria, ana = create_resident(db_session), create_resident(db_session, locale="es")
    [device] = create_devices(db_session, maria, ["shared-tablet-token-cccccc"])
    create_notification(db_session, maria, [device])

    register_device(
        db_session,
        resident_id=ana.id,
        session_id=None,
        platform="android",
        push_token="shared-tablet-token-cccccc",
        app_id="gov.state.benefits",
        locale="es",
    )
    send_due_deliveries(hub)

    assert fcm_server.calls == []
    assert deliveries(db_session)[0].state == "cancelled"
    assert db_session.scalar(select(func.count()).select_from(Device)) == 1


def test_push_tokens_never_reach_the_logs(hub, db_session, fcm_transport, caplog):
    caplog.set_level(logging.DEBUG)
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, ["secret-token-zzzzzz", "dead-secret-token-yyyyyy"])
    create_notification(db_session, resident, devices)

    send_due_deliveries(hub)

    logged = caplog.text + " ".join(str(record.__dict__) for record in caplog.records)
    assert "secret-token" not in logged


@pytest.mark.parametrize(("devices", "calls"), [(3, 1), (2, 1), (1, 0)])
def test_a_sender_whose_first_batch_is_full_calls_once_for_help(hub, db_session, fcm_transport, devices, calls):
    resident = create_resident(db_session)
    made = create_devices(db_session, resident, [f"help-token-{n:06d}" for n in range(devices)])
    create_notification(db_session, resident, made)
    asked = []

    report = send_due_deliveries(hub, batch_size=2, call_for_help=lambda: asked.append(True))

    assert len(asked) == calls and report.sent == devices
