"""Production's path: an outbox event, a real Celery worker on the Redis broker, and the fake FCM server."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from notifications.dispatch import dispatch_job
from services.models.notifications import NotificationMessage, PushDelivery
from tests.celery_harness import wait_until
from tests.factories import approved_event, create_devices, create_events, create_resident


@pytest.mark.redis
def test_an_outbox_event_reaches_the_phone_through_a_celery_worker(
    hub, db_session, fcm_transport, fcm_server, celery_worker_runner
):
    maria = create_resident(db_session)
    create_devices(db_session, maria, ["celery-phone-token-000001", "celery-tablet-token-000002"])
    create_events(db_session, maria, approved_event())

    celery_worker_runner.submit(dispatch_job)  # the worker then queues notifications.send_deliveries

    assert wait_until(lambda: len(fcm_server.accepted) == 2, timeout=30)

    def recorded() -> bool:  # FCM has the pushes a moment before the worker has committed their answers
        with hub.session() as session:
            return "sending" not in set(session.scalars(select(PushDelivery.state)))

    assert wait_until(recorded, timeout=10)
    with hub.session() as session:
        [message] = session.scalars(select(NotificationMessage))
        states = set(session.scalars(select(PushDelivery.state)))
    assert states == {"sent"}
    assert {call.data["message_id"] for call in fcm_server.accepted} == {message.id}
