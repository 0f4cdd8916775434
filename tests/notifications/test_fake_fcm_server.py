"""The fake FCM server answers as the real one does, so the transport tests mean something."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import httpx
import pytest

from ops.stack import ensure_service_account
from tests.fakes.fcm_server import JWT_BEARER_GRANT, FakeFCMServer

SEND = "/v1/projects/p/messages:send"


def send(server: FakeFCMServer, token: str, **headers: str) -> httpx.Response:
    return httpx.post(server.url + SEND, json={"message": {"token": token, "data": {"k": "v"}}}, headers=headers)


@pytest.fixture
def server():
    with FakeFCMServer() as server:
        yield server


def test_success_names_the_message_like_fcm(server):
    response = send(server, "device-a")

    assert response.status_code == 200
    assert response.json()["name"].startswith("projects/p/messages/")


@pytest.mark.parametrize(
    ("token", "http_status", "status", "error_code"),
    [
        ("dead-x", 404, "NOT_FOUND", "UNREGISTERED"),
        ("invalid-x", 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"),
        ("quota-x", 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"),
        ("unavailable-x", 503, "UNAVAILABLE", "UNAVAILABLE"),
        ("internal-x", 500, "INTERNAL", "INTERNAL"),
    ],
)
def test_errors_have_the_real_fcm_body(server, token, http_status, status, error_code):
    response = send(server, token)

    assert response.status_code == http_status
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (http_status, status)
    assert error["details"][0] == {
        "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
        "errorCode": error_code,
    }
    assert server.accepted == [] and len(server.calls) == 1


def test_a_script_fails_a_token_n_times_then_lets_it_through(server):
    server.fail_next("device-a", 2, "QUOTA_EXCEEDED")

    assert [send(server, "device-a").status_code for _ in range(3)] == [429, 429, 200]
    assert send(server, "device-b").status_code == 200
    assert server.attempts("device-a") == 3


def test_503_and_429_can_carry_retry_after_as_fcm_sends_it():
    with FakeFCMServer() as server:
        server.fail_next("device-a", 1, "QUOTA_EXCEEDED", retry_after=60)
        server.fail_all("UNAVAILABLE", retry_after=330)
        unavailable = send(server, "device-b")
        server.fail_all(None)
        quota = send(server, "device-a")

    assert (unavailable.status_code, unavailable.headers["Retry-After"]) == (503, "330")
    assert (quota.status_code, quota.headers["Retry-After"]) == (429, "60")


def test_slowed_down_answers_come_after_the_push_was_accepted():
    with FakeFCMServer() as server:
        server.slow_down(0.3)
        answered = []
        thread = threading.Thread(target=lambda: answered.append(send(server, "device-a")))
        thread.start()
        deadline = time.monotonic() + 5
        while server.accepted_count("device-a") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        accepted_before_answer = not answered
        thread.join()

    assert server.accepted_count("device-a") == 1 and accepted_before_answer
    assert answered[0].status_code == 200


def test_a_required_bearer_token_is_checked():
    with FakeFCMServer(expected_token="right") as server:
        assert send(server, "device-a", Authorization="Bearer wrong").status_code == 401
        assert send(server, "device-a", Authorization="Bearer right").status_code == 200


def test_it_runs_as_its_own_process_for_the_benchmark():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fcm_server", "--port", "0", "--no-record"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("fake FCM listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        for _ in range(2):
            assert httpx.post(url + SEND, json={"message": {"token": "device"}}).status_code == 200
        stats = httpx.get(url + "/_fake/stats").json()
        assert stats.pop("in_progress") == 0 and stats.pop("tokens_issued") == stats.pop("token_requests") == 0
        assert stats == {"calls": 2, "accepted": 2, "tokens": 1, "duplicates": 1, "max_in_progress": 1}
        httpx.post(url + "/_fake/reset")
        stats = httpx.get(url + "/_fake/stats").json()
        assert stats.pop("in_progress") == 0 and stats.pop("tokens_issued") == stats.pop("token_requests") == 0
        assert stats == {"calls": 0, "accepted": 0, "tokens": 0, "duplicates": 0, "max_in_progress": 0}
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_its_token_endpoint_answers_an_error_while_told_to_over_http(tmp_path):
    """``POST /_fake/token-error`` switches the token endpoint to an OAuth error answer and back (the account's
    assertion is not even read meanwhile); ``token_requests`` counts every request."""
    account_file = tmp_path / "account.json"
    ensure_service_account(account_file, "http://127.0.0.1:1/token")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.fcm_server", "--port", "0", "--service-account", str(account_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = process.stdout.readline().rsplit(" ", 1)[1].strip()
        grant = {"grant_type": JWT_BEARER_GRANT, "assertion": "not.a.jwt"}
        assert httpx.post(url + "/token", data=grant).json()["error"] == "invalid_grant"  # checked, as Google does

        assert httpx.post(url + "/_fake/token-error", json={"status": 503}).status_code == 200
        answer = httpx.post(url + "/token", data=grant)
        assert (answer.status_code, answer.json()["error"]) == (503, "temporarily_unavailable")
        httpx.post(url + "/_fake/token-error", json={"status": 400, "error": "invalid_grant"})
        answer = httpx.post(url + "/token", data=grant)
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")
        assert "503" not in answer.json()["error_description"]

        httpx.post(url + "/_fake/token-error", json={"status": None})
        assert httpx.post(url + "/token", data={"grant_type": "password"}).json()["error"] == "unsupported_grant_type"
        stats = httpx.get(url + "/_fake/stats").json()
        assert (stats["token_requests"], stats["tokens_issued"]) == (4, 0)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
