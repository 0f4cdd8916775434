"""firebase-admin from a service-account file, as in production: the hub signs its own OAuth assertion, the fake
FCM server's token endpoint (Google's, played) checks it and issues the access token every send must carry.
This is the path ``make stack`` runs (``ops/stack.py`` writes the file)."""

from __future__ import annotations

import json

import httpx
import pytest

from notifications.transports import PushMessage
from notifications.transports.fcm import FCMTransport
from ops.stack import FCM_PROJECT_ID, ensure_service_account
from tests.fakes.fcm_server import FakeFCMServer

PUSH = PushMessage(token="device-sa", title="Update", body="You have an update", data={"message_id": "m-7"})


@pytest.fixture
def account_file(tmp_path):
    return tmp_path / "fcm-service-account.json"


def test_a_push_from_a_service_account_file_carries_the_token_the_endpoint_issued(account_file):
    with FakeFCMServer() as server:
        ensure_service_account(account_file, f"{server.url}/token")
        server.service_account = json.loads(account_file.read_text())
        transport = FCMTransport(project_id=FCM_PROJECT_ID, credentials_path=str(account_file), endpoint=server.url)
        [result] = transport.send([PUSH])

        assert result.ok and result.outcome == "sent"
        [request] = server.accepted
        assert request.authorization.startswith("Bearer ya29.fake-")
        assert server.tokens_issued == 1
        pushes = httpx.get(f"{server.url}/_fake/pushes", params={"token": "device-sa"}).json()["pushes"]
        assert [(p["status"], p["data"]) for p in pushes] == [(200, {"message_id": "m-7"})]
        assert httpx.get(f"{server.url}/_fake/pushes", params={"token": "nobody"}).json() == {"pushes": []}


def test_an_assertion_signed_with_another_key_gets_no_token_and_no_push_goes_through(account_file, tmp_path):
    other = tmp_path / "other.json"
    with FakeFCMServer() as server:
        ensure_service_account(account_file, f"{server.url}/token")
        ensure_service_account(other, f"{server.url}/token")
        server.service_account = json.loads(account_file.read_text())  # the server knows only the first key
        transport = FCMTransport(project_id=FCM_PROJECT_ID, credentials_path=str(other), endpoint=server.url)
        [result] = transport.send([PUSH])

        assert not result.ok
        assert server.accepted == [] and server.tokens_issued == 0
        forged = httpx.post(
            f"{server.url}/v1/projects/{FCM_PROJECT_ID}/messages:send",
            json={"message": {"token": "device-sa"}},
            headers={"Authorization": "Bearer ya29.made-up"},
        )
        assert forged.status_code == 401


def test_rewriting_the_token_uri_keeps_the_key(account_file):
    ensure_service_account(account_file, "http://127.0.0.1:1/token")
    first = json.loads(account_file.read_text())
    ensure_service_account(account_file, "http://127.0.0.1:2/token")
    second = json.loads(account_file.read_text())
    assert second["token_uri"] == "http://127.0.0.1:2/token"
    assert second["private_key"] == first["private_key"] and second["client_email"] == first["client_email"]
    assert account_file.stat().st_mode & 0o077 == 0
