"""Pushes of urgent nudges: the hourly scan writes them to the outbox, the dispatcher makes inbox messages and
deliveries, and real firebase-admin sends them to the fake FCM server; only urgent kinds, once each, at most the
rules file's limit per window, held by quiet hours, and never for a kind switched off."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from urllib3.util.retry import Retry

from notifications.delivery import send_due_deliveries
from notifications.dispatch import dispatch_outbox
from notifications.nudge_pushes import nudge_pushes_job
from notifications.transports.fcm import FCMTransport
from services import clock
from services.models.notifications import NotificationMessage, PushDelivery
from services.nudges.pushes import write_nudge_pushes
from services.nudges.rules import RULES_FILE, load_rules
from services.vocabulary import STATE_ZONE
from tests.fakes.credentials import FAKE_ACCESS_TOKEN, FixedTokenCredential
from tests.fakes.fcm_server import FakeFCMServer
from tests.nudges.conftest import advance, by_kind, refreshed

PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-0001", "app_id": "sandbox-app"}


@pytest.fixture
def fcm(sandbox_hub):
    """Real firebase-admin code against the fake FCM server, as the sandbox hub's push transport."""
    with FakeFCMServer(expected_token=FAKE_ACCESS_TOKEN) as server:
        transport = FCMTransport(
            project_id="benefits-hub-test",
            credential=FixedTokenCredential(),
            endpoint=server.url,
            http_retry=Retry(total=0, status_forcelist=[], raise_on_status=False, allowed_methods=None),
        )
        sandbox_hub.push = transport
        yield server
        del sandbox_hub.push
        transport.close()


@pytest.fixture
def maria_with_a_phone(sandbox_client, maria):
    assert sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers).status_code == 201
    return maria


def scan(hub, rules=None) -> int:
    with hub.session() as session:
        return write_nudge_pushes(session, hub.field_cipher, rules=rules)


def deliver(hub) -> None:
    dispatch_outbox(hub)
    send_due_deliveries(hub)


def messages(hub) -> list[NotificationMessage]:
    with hub.session() as session:
        return list(
            session.scalars(select(NotificationMessage).where(NotificationMessage.template_key.like("nudges.%")))
        )


def test_an_urgent_nudge_pushes_once_and_a_discovery_one_never(sandbox_hub, sandbox_client, maria_with_a_phone, fcm):
    assert set(by_kind(sandbox_client, maria_with_a_phone)) == {"document_due_soon", "energy_assistance_season"}

    assert scan(sandbox_hub) == 1  # the document; the energy season waits in the app
    deliver(sandbox_hub)

    [push] = fcm.accepted
    assert push.token == PHONE["push_token"] and push.data["category"] == "documents"
    assert push.notification == {
        "title": "A document is due soon",
        "body": "A document is due soon. Open the app to send it.",
    }
    [message] = messages(sandbox_hub)
    assert message.title == "A document for SNAP food benefits is due soon" and message.agency == "DHS"
    assert not message.urgent  # a suggestion: quiet hours hold it
    assert scan(sandbox_hub) == 0  # once
    deliver(sandbox_hub)
    assert len(fcm.accepted) == 1


def test_the_job_scans_and_dispatches(sandbox_hub, maria_with_a_phone, fcm):
    nudge_pushes_job(sandbox_hub)
    sandbox_hub.runner.run_pending()  # the dispatch it queued, then the sends dispatch queued
    sandbox_hub.runner.run_pending()
    assert [push.data["category"] for push in fcm.accepted] == ["documents"]


def test_at_most_the_files_limit_per_window(sandbox_hub, sandbox_client, sandbox_url, maria_with_a_phone, fcm):
    one_a_week = load_rules(RULES_FILE.read_text().replace("max_per_resident = 3", "max_per_resident = 1"))
    assert scan(sandbox_hub, one_a_week) == 1  # the document, due in 5 days
    advance(sandbox_url, 14)  # her Medicaid renewal is now at risk
    refreshed(sandbox_client, sandbox_hub, maria_with_a_phone)
    assert "renewal_at_risk" in by_kind(sandbox_client, maria_with_a_phone)

    assert scan(sandbox_hub, one_a_week) == 0  # the week's push is spent: shown in the app, not pushed
    with clock.frozen(clock.now() + dt.timedelta(days=7, minutes=1)):
        assert scan(sandbox_hub, one_a_week) == 1
    deliver(sandbox_hub)
    assert sorted(message.category for message in messages(sandbox_hub)) == ["documents", "renewals"]
    pushed = {push.data["message_id"] for push in fcm.accepted}
    assert {message.id for message in messages(sandbox_hub)} <= pushed


def test_quiet_hours_hold_the_push_until_they_end(sandbox_hub, sandbox_client, maria_with_a_phone, fcm):
    quiet = {"quiet_hours": {"start": "21:00", "end": "07:00"}}
    headers = maria_with_a_phone.headers
    assert sandbox_client.put("/v1/me/notification-preferences", json=quiet, headers=headers).status_code == 200
    night = clock.now().replace(hour=8, minute=0, second=0, microsecond=0)  # 2 or 3 a.m. in Chicago
    seven = dt.datetime.combine(night.astimezone(STATE_ZONE).date(), dt.time(7), STATE_ZONE).astimezone(dt.UTC)
    with clock.frozen(night):
        assert scan(sandbox_hub) == 1
        deliver(sandbox_hub)
    assert fcm.accepted == []
    with sandbox_hub.session() as session:
        [delivery] = session.scalars(select(PushDelivery))
        assert delivery.not_before == seven  # when quiet hours end in Chicago
    with clock.frozen(seven + dt.timedelta(minutes=1)):
        send_due_deliveries(sandbox_hub)
    assert [push.data["category"] for push in fcm.accepted] == ["documents"]


def test_a_kind_switched_off_or_dismissed_never_pushes(sandbox_hub, sandbox_client, maria_with_a_phone, fcm):
    document = by_kind(sandbox_client, maria_with_a_phone)["document_due_soon"]
    off = {"kinds": {"document_due_soon": {"enabled": False}}}
    assert (
        sandbox_client.put("/v1/me/nudges/preferences", json=off, headers=maria_with_a_phone.headers).status_code == 200
    )
    assert scan(sandbox_hub) == 0
    on = {"kinds": {"document_due_soon": {"enabled": True}}}
    sandbox_client.put("/v1/me/nudges/preferences", json=on, headers=maria_with_a_phone.headers)
    assert (
        sandbox_client.post(f"/v1/me/nudges/{document['id']}/dismiss", headers=maria_with_a_phone.headers).status_code
        == 200
    )
    assert scan(sandbox_hub) == 0


def test_the_category_switch_and_consent_apply_as_for_any_push(sandbox_hub, sandbox_client, maria_with_a_phone, fcm):
    no_documents = {"categories": {"documents": {"enabled": False}}}
    headers = maria_with_a_phone.headers
    assert sandbox_client.put("/v1/me/notification-preferences", json=no_documents, headers=headers).status_code == 200
    assert scan(sandbox_hub) == 1
    deliver(sandbox_hub)
    assert fcm.accepted == [] and len(messages(sandbox_hub)) == 1  # in the inbox, not pushed
    assert sandbox_client.put("/v1/me/consents/DHS", json={"granted": False}, headers=headers).status_code == 200
    assert scan(sandbox_hub) == 0
