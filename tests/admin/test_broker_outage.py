"""Support's fixes while the broker is out: each still answers, does what it can now, and says what it could not."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from services.celery_app import CeleryRunner
from services.models.audit import AuditEvent
from services.models.notifications import PushDelivery
from tests.factories import create_signed_in_resident, create_staff

DOWN = "redis://127.0.0.1:1/0"


def broker_down(hub) -> None:
    hub.settings = dataclasses.replace(hub.settings, celery_broker_url=DOWN)
    hub.runner = CeleryRunner.publishing(hub.settings, hub.jobs)


def test_a_resend_is_queued_and_audited_and_the_periodic_send_takes_it(client, hub, world, db_session):
    broker_down(hub)
    sophie = create_staff(hub, "support")
    response = client.post(f"/v1/admin/notifications/{world.message_id}/resend", headers=sophie.admin_headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    rounds = db_session.scalars(select(PushDelivery.send_round).where(PushDelivery.message_id == world.message_id))
    assert sorted(rounds) == [0, 1]  # the new round waits for notifications.send_deliveries (every 10 s)
    assert [e.action for e in db_session.scalars(select(AuditEvent))] == ["notification.resend"]


@pytest.fixture
def sandbox_settings(sandbox_settings):
    return dataclasses.replace(sandbox_settings, read_budget_seconds=0.1)  # no fetch fits: each is left "pending"


def test_a_resync_says_which_agency_could_not_be_left_to_the_background(sandbox_client, sandbox_hub):
    maria = create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"})
    sophie = create_staff(sandbox_hub, "support")
    broker_down(sandbox_hub)
    response = sandbox_client.post(f"/v1/admin/residents/{maria.id}/resync", headers=sophie.admin_headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcomes"] == {"DHS": "not_queued", "HFS": "not_queued"}
