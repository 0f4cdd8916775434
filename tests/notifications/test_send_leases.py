"""Who may send a claimed batch: answers are recorded as they arrive, a live sender keeps its batch however
long FCM makes it wait, and a batch is taken back only from a sender that stopped renewing its lease."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from notifications import delivery
from notifications.delivery import SENDING_LEASE, reclaim_expired_claims, send_due_deliveries
from notifications.transports.fcm import FCMTransport
from services import clock
from services.models.notifications import PushDelivery, PushSendClaim
from tests.celery_harness import wait_until
from tests.factories import create_devices, create_notification, create_resident
from tests.fakes.credentials import FixedTokenCredential

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    clock.set_now(T0)
    yield
    clock.set_now(None)


@pytest.fixture
def quick_renewals(monkeypatch):
    """Renew leases every 50 ms of real time, so a test sees renewals without waiting seconds."""
    monkeypatch.setattr(delivery, "LEASE_RENEW_EVERY", 0.05)


def count(hub, *where) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(PushDelivery).where(*where))


def claims(hub) -> list[PushSendClaim]:
    with hub.session() as session:
        return list(session.scalars(select(PushSendClaim)))


def in_background(target) -> tuple[threading.Thread, list]:
    reports: list = []
    thread = threading.Thread(target=lambda: reports.append(target()), daemon=True)
    thread.start()
    return thread, reports


def queue_pushes(db_session, tokens: list[str]):
    resident = create_resident(db_session)
    devices = create_devices(db_session, resident, tokens)
    return create_notification(db_session, resident, devices)


def test_answers_are_recorded_while_the_rest_of_the_batch_is_still_in_flight(
    hub, db_session, fcm_transport, fcm_server
):
    """A worker killed now would repeat only the one push still on its way, not the whole batch."""
    queue_pushes(db_session, ["slow-phone-token-000000", *(f"quick-phone-token-{n:06d}" for n in range(19))])
    fcm_server.slow_down(3.5, token="slow-phone-token-000000")  # within the 5 s timeout

    sender, reports = in_background(lambda: send_due_deliveries(hub))

    assert wait_until(lambda: count(hub, PushDelivery.state == "sent") == 19, timeout=10)
    assert sender.is_alive() and count(hub, PushDelivery.state == "sending") == 1
    sender.join(15)
    assert reports[0].sent == 20 and count(hub, PushDelivery.state == "sent") == 20


def test_a_live_sender_kept_waiting_keeps_its_batch_and_nothing_is_sent_twice(
    hub, db_session, fcm_transport, fcm_server, quick_renewals
):
    """Another worker runs long after the old 5-minute lease; the first is alive, so its batch is left alone."""
    tokens = [f"patient-phone-token-{n:06d}" for n in range(10)]
    queue_pushes(db_session, tokens)
    fcm_server.slow_down(3.5, token=tokens[0])
    first, reports = in_background(lambda: send_due_deliveries(hub))
    assert wait_until(lambda: len(claims(hub)) == 1)

    clock.set_now(T0 + dt.timedelta(minutes=6))
    assert wait_until(lambda: all(claim.expires_at > clock.now() for claim in claims(hub)))  # renewed
    assert first.is_alive()
    second = send_due_deliveries(hub)
    first.join(15)

    assert (second.reclaimed, second.sent) == (0, 0)
    assert reports[0].sent == 10
    assert [fcm_server.accepted_count(token) for token in tokens] == [1] * 10
    assert claims(hub) == []  # released once recorded


def test_fcm_asking_to_wait_330_seconds_sends_each_of_200_pushes_once(hub, db_session, fcm_server, quick_renewals):
    """The production retry policy: the wait goes to the queue (next_attempt_at), not into a live batch."""
    tokens = [f"waiting-phone-token-{n:06d}" for n in range(200)]
    queue_pushes(db_session, tokens)
    fcm_server.fail_all("UNAVAILABLE", retry_after=330)
    with FCMTransport(
        project_id="benefits-hub-test", credential=FixedTokenCredential(), endpoint=fcm_server.url
    ) as fcm:
        first, reports = in_background(lambda: send_due_deliveries(hub, transport=fcm))
        first.join(60)
        assert not first.is_alive(), "the sender waited out FCM's Retry-After inside a live batch"
        assert reports[0].retried == 200 and [fcm_server.attempts(token) for token in tokens] == [1] * 200
        with hub.session() as session:
            waits = set(session.scalars(select(PushDelivery.next_attempt_at)))
        assert min(waits) >= T0 + dt.timedelta(seconds=330)

        clock.set_now(T0 + SENDING_LEASE + dt.timedelta(seconds=1))
        second = send_due_deliveries(hub, transport=fcm)  # another worker, after the lease
        assert (second.reclaimed, second.sent) == (0, 0)

        fcm_server.fail_all(None)
        clock.set_now(max(waits))
        assert send_due_deliveries(hub, transport=fcm).sent == 200

    assert [fcm_server.accepted_count(token) for token in tokens] == [1] * 200


class WaitsForItsLeaseToBeLost:
    """Holds the batch until its sender notices the claim was taken over, then hands it to the real transport."""

    name = "waits"

    def __init__(self, inner) -> None:
        self.inner = inner

    def send(self, messages, *, on_result=None, stop=None):
        assert stop.wait(10), "the sender never noticed its claim was gone"
        return self.inner.send(messages, on_result=on_result, stop=stop)


def test_a_sender_whose_batch_was_taken_back_sends_none_of_it(
    hub, db_session, fcm_transport, fcm_server, quick_renewals
):
    tokens = [f"stalled-phone-token-{n:06d}" for n in range(10)]
    queue_pushes(db_session, tokens)
    stalled, reports = in_background(
        lambda: send_due_deliveries(hub, transport=WaitsForItsLeaseToBeLost(fcm_transport), max_batches=1)
    )
    assert wait_until(lambda: len(claims(hub)) == 1)

    clock.set_now(T0 + dt.timedelta(minutes=1))
    with hub.session() as session:
        assert reclaim_expired_claims(session) == 10  # as if it had stalled past its lease
    stalled.join(15)
    taken_over = send_due_deliveries(hub)

    assert reports[0].sent == 0 and taken_over.sent == 10
    assert [fcm_server.accepted_count(token) for token in tokens] == [1] * 10


def test_a_claim_is_renewed_while_its_sender_works_and_dropped_when_it_is_done(
    hub, db_session, fcm_transport, fcm_server, quick_renewals
):
    queue_pushes(db_session, [f"renewed-phone-token-{n:06d}" for n in range(3)])
    fcm_server.slow_down(0.5)
    sender, _ = in_background(lambda: send_due_deliveries(hub))
    assert wait_until(lambda: len(claims(hub)) == 1)
    [claim] = claims(hub)
    assert claim.expires_at == claim.claimed_at + SENDING_LEASE and ":" in claim.holder

    clock.set_now(T0 + dt.timedelta(seconds=10))
    assert wait_until(lambda: claims(hub) == [] or claims(hub)[0].renewed_at == clock.now())
    sender.join(10)
    assert claims(hub) == []


def test_rows_left_sending_by_a_worker_of_the_previous_release_go_back_after_the_lease(
    hub, db_session, fcm_transport, fcm_server
):
    """Before claims existed, a sending row had only ``claimed_at``; such rows are not lost by the upgrade."""
    message = queue_pushes(db_session, ["legacy-phone-token-000001"])
    db_session.execute(
        PushDelivery.__table__.update()
        .where(PushDelivery.message_id == message.id)
        .values(state="sending", claim_token="claim-of-an-old-worker", claimed_at=T0, attempts=1)
    )
    db_session.commit()

    assert send_due_deliveries(hub).sent == 0  # it may still be at work
    clock.set_now(T0 + SENDING_LEASE)
    report = send_due_deliveries(hub)

    assert (report.reclaimed, report.sent) == (1, 1)
    assert fcm_server.accepted_count("legacy-phone-token-000001") == 1
