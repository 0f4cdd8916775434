"""firebase-admin's OAuth2 token refresh against the fake's token endpoint (Google's, played), from a
service-account file as in production: a token endpoint that does not answer, or answers an error (a 503, or a
400 ``invalid_grant``: google-auth's ``RefreshError``), leaves the batch retryable, with nothing marked sent, at the
cost of one exchange for the whole batch, and it is then delivered once; a fresh transport's batch costs one token
exchange, not one per in-flight thread."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import select

from notifications.delivery import send_due_deliveries
from notifications.transports import PushMessage
from notifications.transports.fcm import FCMTransport
from ops.stack import FCM_PROJECT_ID, ensure_service_account
from services import clock
from services.models.notifications import PushDelivery
from tests.factories import create_devices, create_notification, create_resident
from tests.fakes.fcm_server import FakeFCMServer

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
TOKENS = ["refresh-token-aaaaaa", "refresh-token-bbbbbb", "refresh-token-cccccc"]


@pytest.fixture
def account_server(tmp_path):
    """The fake FCM server that issues access tokens only for the service-account file it was given."""
    account_file = tmp_path / "fcm-service-account.json"
    with FakeFCMServer() as server:
        ensure_service_account(account_file, f"{server.url}/token")
        server.service_account = json.loads(account_file.read_text())
        server.account_file = account_file
        yield server


def account_transport(server: FakeFCMServer, **options) -> FCMTransport:
    return FCMTransport(
        project_id=FCM_PROJECT_ID, credentials_path=str(server.account_file), endpoint=server.url, **options
    )


def deliveries(session) -> list[PushDelivery]:
    session.expire_all()
    return list(session.scalars(select(PushDelivery).order_by(PushDelivery.id)))


@pytest.mark.parametrize(("outage", "symptom"), [("hang", "Read timed out"), ("down", "Connection aborted")])
def test_a_batch_sent_while_the_token_endpoint_does_not_answer_is_retried_and_delivered_once(
    hub, db_session, account_server, outage, symptom
):
    transport = account_transport(account_server, timeout_seconds=0.5)  # "hang" outlasts it: a read timeout
    hub.push = transport
    clock.set_now(T0)
    try:
        resident = create_resident(db_session)
        create_notification(db_session, resident, create_devices(db_session, resident, TOKENS))
        account_server.token_outage(outage)

        first = send_due_deliveries(hub)

        assert (first.sent, first.retried) == (0, len(TOKENS))
        rows = deliveries(db_session)
        assert [(row.state, row.attempts, row.error_code) for row in rows] == [("queued", 1, "UNAVAILABLE")] * 3
        assert all(row.next_attempt_at > T0 for row in rows)
        assert all(row.error_detail.startswith("access token refresh") and symptom in row.error_detail for row in rows)
        assert account_server.calls == [] and account_server.tokens_issued == 0
        assert account_server.token_requests >= 1

        account_server.token_outage(None)
        clock.set_now(max(row.next_attempt_at for row in rows))
        second = send_due_deliveries(hub)
        assert send_due_deliveries(hub).sent == 0  # nothing left: nothing sent twice

        assert second.sent == len(TOKENS)
        assert [(row.state, row.attempts) for row in deliveries(db_session)] == [("sent", 2)] * 3
        assert {token: account_server.accepted_count(token) for token in TOKENS} == dict.fromkeys(TOKENS, 1)
        assert account_server.tokens_issued == 1
    finally:
        clock.set_now(None)
        del hub.push
        transport.close()


@pytest.mark.parametrize(
    ("status", "error", "exchanges"),
    [
        (503, "temporarily_unavailable", 3),  # google-auth tries a retryable answer three times, 1 s and 2 s apart
        (400, "invalid_grant", 1),  # a refused grant (a revoked key, a clock off): raised at once
    ],
)
def test_a_batch_whose_token_exchange_is_answered_with_an_error_is_retried_and_delivered_once(
    hub, db_session, account_server, status, error, exchanges
):
    transport = account_transport(account_server, max_in_flight=2)
    hub.push = transport
    clock.set_now(T0)
    tokens = [*TOKENS, "refresh-token-dddddd", "refresh-token-eeeeee"]
    try:
        resident = create_resident(db_session)
        create_notification(db_session, resident, create_devices(db_session, resident, tokens))
        switch = httpx.post(f"{account_server.url}/_fake/token-error", json={"status": status, "error": error})
        assert switch.status_code == 200

        first = send_due_deliveries(hub)

        assert (first.sent, first.retried, first.failed) == (0, len(tokens), 0)
        rows = deliveries(db_session)
        assert [(row.state, row.attempts, row.error_code, row.sent_at) for row in rows] == [
            ("queued", 1, "UNAVAILABLE", None)
        ] * len(tokens)
        assert all(row.next_attempt_at > T0 and row.provider_message_id is None for row in rows)
        assert all(row.error_detail.startswith("access token refresh") and error in row.error_detail for row in rows)
        assert account_server.calls == [] and account_server.tokens_issued == 0
        assert account_server.token_requests == exchanges  # one exchange for the batch, not one per push

        httpx.post(f"{account_server.url}/_fake/token-error", json={"status": None})
        clock.set_now(max(row.next_attempt_at for row in rows))
        second = send_due_deliveries(hub)
        assert send_due_deliveries(hub).sent == 0  # nothing left: nothing sent twice

        assert second.sent == len(tokens)
        assert [(row.state, row.attempts) for row in deliveries(db_session)] == [("sent", 2)] * len(tokens)
        assert {token: account_server.accepted_count(token) for token in tokens} == dict.fromkeys(tokens, 1)
        assert (account_server.token_requests, account_server.tokens_issued) == (exchanges + 1, 1)
    finally:
        clock.set_now(None)
        del hub.push
        transport.close()


def test_a_fresh_transports_batch_costs_exactly_one_token_exchange(account_server):
    account_server.slow_tokens(0.3)  # a slow exchange: every thread would find the token still missing
    pushes = [PushMessage(token=f"device-{n:03d}", title="Update", body="An update") for n in range(24)]
    with account_transport(account_server, max_in_flight=8) as transport:
        results = transport.send(pushes)

    assert [result.outcome for result in results] == ["sent"] * len(pushes)
    assert (account_server.token_requests, account_server.tokens_issued) == (1, 1)
    assert len(account_server.accepted) == len(pushes)
    bearers = {call.authorization for call in account_server.accepted}
    assert len(bearers) == 1 and bearers.pop().startswith("Bearer ya29.fake-")
