"""The throughput fake (``tests.fakes.fast_fcm_server``) answers real firebase-admin as the recording fake does:
the same success and error outcomes per token prefix, counted in ``/_fake/stats``; and it is not the bottleneck
of a fan-out (it answers a plain pooled client well above the hub's send rate)."""

from __future__ import annotations

import concurrent.futures
import subprocess
import sys
import time

import httpx
import pytest

from notifications.transports import PushMessage
from notifications.transports.fcm import FCMTransport
from tests.fakes.credentials import FixedTokenCredential


@pytest.fixture(scope="module")
def fast_fcm():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fast_fcm_server", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
    yield url
    process.terminate()
    process.wait(10)


def test_firebase_admin_gets_the_outcomes_the_real_service_gives(fast_fcm):
    httpx.post(fast_fcm + "/_fake/reset")
    tokens = ["device-a", "device-b", "dead-1", "invalid-2", "quota-3", "device-a"]
    with FCMTransport(
        project_id="bench-project", credential=FixedTokenCredential(), endpoint=fast_fcm, http_retry=0
    ) as transport:
        results = transport.send([PushMessage(token=t, title="Benefits update", body="An update") for t in tokens])
    outcomes = [r.outcome for r in results]
    assert outcomes[:2] == ["sent", "sent"] and outcomes[5] == "sent"
    assert results[0].provider_message_id.startswith("projects/bench-project/messages/")
    assert outcomes[2] == "token_invalid" and results[2].error_code == "UNREGISTERED"
    assert outcomes[3] == "token_invalid"
    assert outcomes[4] == "retryable"
    stats = httpx.get(fast_fcm + "/_fake/stats").json()
    assert stats["accepted"] == 3 and stats["tokens"] == 2 and stats["duplicates"] == 1 and stats["calls"] == 6


@pytest.mark.timing  # a requests-per-second floor: alone, so the parallel pass's other tests do not decide it
def test_it_answers_a_pooled_client_faster_than_the_hub_needs(fast_fcm):
    httpx.post(fast_fcm + "/_fake/reset")
    url = fast_fcm + "/v1/projects/p/messages:send"
    count = 2000
    with httpx.Client(limits=httpx.Limits(max_connections=16)) as client:

        def post(i: int) -> int:
            return client.post(url, json={"message": {"token": f"t-{i}"}}).status_code

        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            statuses = list(pool.map(post, range(count)))
        elapsed = time.perf_counter() - started
    assert statuses.count(200) == count
    assert httpx.get(fast_fcm + "/_fake/stats").json()["accepted"] == count
    assert count / elapsed > 300, f"{count / elapsed:.0f} requests/s"  # a floor on a loaded 2-core machine


def test_with_a_service_account_it_is_the_token_endpoint_and_refuses_other_tokens(tmp_path):
    """``bench/push_fanout.py --fake fast`` runs firebase-admin from a service-account file, as in production:
    the fake checks the signed assertion, issues the access token and accepts sends only with a token it issued."""
    import socket

    from google.auth.transport.requests import Request
    from google.oauth2 import service_account

    from ops.stack import ensure_service_account

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    account = tmp_path / "account.json"
    ensure_service_account(account, f"{url}/token")
    command = [sys.executable, "-m", "tests.fakes.fast_fcm_server", "--port", str(port)]
    process = subprocess.Popen([*command, "--service-account", str(account), "--no-record"], stdout=subprocess.PIPE)
    try:
        process.stdout.readline()
        send = f"{url}/v1/projects/p/messages:send"
        body = {"message": {"token": "device-a"}}
        refused = httpx.post(send, json=body, headers={"Authorization": "Bearer made-up"})
        assert refused.status_code == 401 and refused.json()["error"]["status"] == "UNAUTHENTICATED"
        bad_grant = httpx.post(f"{url}/token", data={"grant_type": "password", "assertion": "x"})
        assert bad_grant.status_code == 400
        scopes = ["https://www.googleapis.com/auth/firebase.messaging"]
        credentials = service_account.Credentials.from_service_account_file(str(account), scopes=scopes)
        credentials.refresh(Request())
        accepted = httpx.post(send, json=body, headers={"Authorization": f"Bearer {credentials.token}"})
        assert accepted.status_code == 200
        stats = httpx.get(f"{url}/_fake/stats").json()
        timings = httpx.get(f"{url}/_fake/timings").json()
        assert stats["accepted"] == 1 and stats["calls"] == 1
        assert timings["first_accepted_at"] == timings["last_accepted_at"] is not None
    finally:
        process.terminate()
        process.wait(10)
