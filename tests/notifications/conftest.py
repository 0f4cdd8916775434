"""The fake FCM server, a real FCMTransport pointed at it as the hub's push transport (``hub.push``), and factories."""

from __future__ import annotations

import pytest
from urllib3.util.retry import Retry

from notifications.transports.fcm import FCMTransport
from tests.fakes.credentials import FAKE_ACCESS_TOKEN, FixedTokenCredential
from tests.fakes.fcm_server import FakeFCMServer

NO_LIBRARY_RETRY = Retry(total=0, status_forcelist=[], raise_on_status=False, allowed_methods=None)


@pytest.fixture
def fcm_server():
    with FakeFCMServer(expected_token=FAKE_ACCESS_TOKEN) as server:
        yield server


@pytest.fixture
def fcm_transport(fcm_server, hub):
    """Real firebase-admin code against the fake server, installed as the hub's push transport."""
    transport = FCMTransport(
        project_id="benefits-hub-test",
        credential=FixedTokenCredential(),
        endpoint=fcm_server.url,
        http_retry=NO_LIBRARY_RETRY,
    )
    hub.push = transport
    yield transport
    del hub.push
    transport.close()
