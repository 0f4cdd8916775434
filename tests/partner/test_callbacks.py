"""Signed callbacks against a real local HTTP receiver: the HMAC of the raw body with the app's secret, the same
bytes on every retry, retried with backoff on 5xx, 429 and timeouts only, never on another 4xx."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from notifications.dispatch import dispatch_job
from services import clock
from services.models.partners import PartnerCallback
from services.partner.callbacks import deliver_due_callbacks, verify_signature
from tests.partner.factories import maria_with_phone, message, register_app, token_for
from tests.partner.receiver import callback_receiver


def _send_one(client, hub, sandbox_url, receiver_url):
    maria_with_phone(client, sandbox_url)
    client_id, key, secret = register_app(hub, callback_url=receiver_url)
    headers = token_for(client, client_id, key)
    response = client.post("/v1/partner/notifications", json=message(), headers=headers)
    assert response.status_code == 202
    dispatch_job(hub)  # → delivered: one callback queued
    return response.get_json()["id"], secret


def callbacks(hub) -> list[PartnerCallback]:
    with hub.session() as session:
        return list(session.scalars(select(PartnerCallback)))


def later(seconds: int) -> None:
    clock.set_now(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def test_a_status_change_is_posted_signed_with_the_apps_secret(partner_client, partner_hub, sandbox_url):
    with callback_receiver() as receiver:
        notification_id, secret = _send_one(partner_client, partner_hub, sandbox_url, receiver.url)
        report = deliver_due_callbacks(partner_hub)
    assert report.delivered == 1 and len(receiver.received) == 1
    got = receiver.received[0]
    assert verify_signature(secret, got.body, got.headers["x-hub-signature"])
    assert not verify_signature("another-secret", got.body, got.headers["x-hub-signature"])
    assert got.headers["x-hub-timestamp"].isdigit()
    body = json.loads(got.body)
    assert body["notification_id"] == notification_id and body["status"] == "delivered"
    assert body["type"] == "notification.status" and "Maria" not in got.body.decode()
    assert callbacks(partner_hub)[0].state == "delivered"


@pytest.mark.parametrize("answer", [503, 429, "slow"])
def test_5xx_429_and_timeouts_are_retried_with_the_same_bytes(partner_client, partner_hub, sandbox_url, answer):
    hub = dataclasses.replace(partner_hub.settings, partner_callback_timeout_seconds=0.5)
    partner_hub.settings = hub
    with callback_receiver([answer]) as receiver:
        _send_one(partner_client, partner_hub, sandbox_url, receiver.url)
        first = deliver_due_callbacks(partner_hub)
        assert first.retried == 1 and callbacks(partner_hub)[0].state == "pending"
        assert deliver_due_callbacks(partner_hub).retried == 0  # not due yet: backoff
        later(121 if answer == 429 else 45)
        second = deliver_due_callbacks(partner_hub)
    assert second.delivered == 1
    assert receiver.received[0].body == receiver.received[-1].body
    assert receiver.received[0].headers["x-hub-callback-id"] == receiver.received[-1].headers["x-hub-callback-id"]
    row = callbacks(partner_hub)[0]
    assert row.state == "delivered" and row.attempts == 2


def test_a_429_waits_at_least_its_retry_after(partner_client, partner_hub, sandbox_url):
    with callback_receiver([429]) as receiver:
        _send_one(partner_client, partner_hub, sandbox_url, receiver.url)
        deliver_due_callbacks(partner_hub)
        later(60)
        assert deliver_due_callbacks(partner_hub).delivered == 0
        assert len(receiver.received) == 1


@pytest.mark.parametrize("answer", [400, 404, 410])
def test_another_4xx_is_never_retried(partner_client, partner_hub, sandbox_url, answer):
    with callback_receiver([answer]) as receiver:
        _send_one(partner_client, partner_hub, sandbox_url, receiver.url)
        assert deliver_due_callbacks(partner_hub).failed == 1
        later(3600)
        deliver_due_callbacks(partner_hub)
    assert len(receiver.received) == 1
    row = callbacks(partner_hub)[0]
    assert row.state == "failed" and row.last_status_code == answer


def test_after_the_last_attempt_it_gives_up(partner_client, partner_hub, sandbox_url):
    partner_hub.settings = dataclasses.replace(partner_hub.settings, partner_callback_attempts=2)
    with callback_receiver([500, 500, 500]) as receiver:
        _send_one(partner_client, partner_hub, sandbox_url, receiver.url)
        deliver_due_callbacks(partner_hub)
        later(60)
        deliver_due_callbacks(partner_hub)
        later(600)
        deliver_due_callbacks(partner_hub)
    assert len(receiver.received) == 2 and callbacks(partner_hub)[0].state == "failed"


def test_without_a_callback_url_nothing_is_queued(partner_client, partner_hub, sandbox_url):
    maria_with_phone(partner_client, sandbox_url)
    client_id, key, _ = register_app(partner_hub)
    assert (
        partner_client.post(
            "/v1/partner/notifications", json=message(), headers=token_for(partner_client, client_id, key)
        ).status_code
        == 202
    )
    dispatch_job(partner_hub)
    assert callbacks(partner_hub) == []
