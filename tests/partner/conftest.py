"""The sandbox hub with the sandbox partner apps seeded, as ``flask sandbox seed`` leaves it."""

from __future__ import annotations

import pytest

from notifications.transports.fcm import FCMTransport
from services.partner.apps import ensure_sandbox_partners
from tests.fakes.credentials import FAKE_ACCESS_TOKEN, FixedTokenCredential
from tests.fakes.fcm_server import FakeFCMServer
from tests.notifications.conftest import NO_LIBRARY_RETRY


@pytest.fixture
def partner_hub(sandbox_hub, sandbox_url):
    with sandbox_hub.session() as session:
        ensure_sandbox_partners(session, sandbox_hub.field_cipher, sandbox_url)
        session.commit()
    return sandbox_hub


@pytest.fixture
def partner_client(partner_hub, sandbox_client):
    return sandbox_client


@pytest.fixture
def partner_fcm(partner_hub):
    """Real firebase-admin against the fake FCM server, as the partner hub's push transport."""
    with FakeFCMServer(expected_token=FAKE_ACCESS_TOKEN) as server:
        transport = FCMTransport(
            project_id="benefits-hub-test",
            credential=FixedTokenCredential(),
            endpoint=server.url,
            http_retry=NO_LIBRARY_RETRY,
        )
        partner_hub.push = transport
        yield server
        del partner_hub.push
        transport.close()
