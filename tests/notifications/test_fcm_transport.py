"""The real firebase-admin code path, answered by the fake FCM server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
import warnings

import pytest
from firebase_admin import messaging
from urllib3.util.retry import Retry

from notifications.transports import PushMessage, PushResult
from notifications.transports import fcm as fcm_module
from notifications.transports.fcm import FCMTransport
from tests.fakes.credentials import FAKE_ACCESS_TOKEN, FixedTokenCredential
from tests.fakes.fcm_server import FakeFCMServer

# In-library retries of 500/503 without sleeping, so the retry tests stay fast.
FAST_RETRY = Retry(
    total=3,
    connect=1,
    read=1,
    status=3,
    status_forcelist=[500, 503],
    backoff_factor=0,
    raise_on_status=False,
    allowed_methods=None,
)
NO_RETRY = Retry(total=0, status_forcelist=[], raise_on_status=False, allowed_methods=None)


@pytest.fixture
def fcm_server():
    with FakeFCMServer(expected_token=FAKE_ACCESS_TOKEN) as server:
        yield server


def make_transport(server, *, credential=None, http_retry=FAST_RETRY) -> FCMTransport:
    return FCMTransport(
        project_id="benefits-hub-test",
        credential=credential or FixedTokenCredential(),
        endpoint=server.url,
        http_retry=http_retry,
    )


@pytest.fixture
def transport(fcm_server):
    with make_transport(fcm_server) as transport:
        yield transport


def push(token: str, **overrides) -> PushMessage:
    fields = {
        "title": "Benefits update",
        "body": "You have an update about your benefits",
        "data": {"message_id": "m-1"},
    }
    fields.update(overrides)
    return PushMessage(token=token, **fields)


def test_a_delivered_push_returns_the_fcm_message_id_and_reaches_the_server_as_sent(transport, fcm_server):
    [result] = transport.send([push("device-a", data={"message_id": "m-42", "category": "documents"})])

    assert result.ok and result.outcome == "sent"
    [request] = fcm_server.accepted
    assert result.provider_message_id == f"projects/benefits-hub-test/messages/{request.message_id}"
    assert request.project == "benefits-hub-test"
    assert request.token == "device-a"
    assert request.notification == {"title": "Benefits update", "body": "You have an update about your benefits"}
    assert request.data == {"message_id": "m-42", "category": "documents"}
    assert request.validate_only is False


def test_the_bearer_token_from_the_credential_is_sent(transport, fcm_server):
    transport.send([push("device-a")])

    assert fcm_server.calls[0].authorization == f"Bearer {FAKE_ACCESS_TOKEN}"


def test_a_rejected_credential_fails_each_message_instead_of_the_whole_batch(fcm_server):
    with make_transport(fcm_server, credential=FixedTokenCredential("someone-elses-token")) as transport:
        results = transport.send([push("device-a"), push("device-b")])

    assert [(r.outcome, r.error_code) for r in results] == [("failed", "UNAUTHENTICATED")] * 2
    assert fcm_server.accepted == []


def test_urgent_pushes_ask_android_and_apns_for_high_priority(transport, fcm_server):
    transport.send([push("urgent-device", urgent=True, collapse_key="interview-missed"), push("calm-device")])

    by_token = {request.token: request for request in fcm_server.accepted}
    urgent, calm = by_token["urgent-device"], by_token["calm-device"]
    assert urgent.android == {"priority": "high", "collapse_key": "interview-missed"}
    assert urgent.apns["headers"] == {
        "apns-priority": "10",
        "apns-push-type": "alert",
        "apns-collapse-id": "interview-missed",
    }
    assert calm.android == {"priority": "normal"}
    assert calm.apns["headers"] == {"apns-priority": "5", "apns-push-type": "alert"}


def test_results_come_back_in_the_order_the_messages_were_given(transport):
    tokens = ["ok-1", "dead-1", "ok-2", "quota-1", "ok-3"]

    results = transport.send([push(token) for token in tokens])

    assert [r.outcome for r in results] == ["sent", "token_invalid", "sent", "retryable", "sent"]


@pytest.mark.parametrize(
    ("token", "outcome", "error_code"),
    [
        ("dead-device", "token_invalid", "UNREGISTERED"),
        ("invalid-device", "token_invalid", "INVALID_ARGUMENT"),
        ("mismatch-device", "token_invalid", "SENDER_ID_MISMATCH"),
        ("rejected-device", "failed", "INVALID_ARGUMENT"),
        ("quota-device", "retryable", "QUOTA_EXCEEDED"),
    ],
)
def test_fcm_errors_map_to_what_the_dispatcher_should_do(transport, token, outcome, error_code):
    [result] = transport.send([push(token)])

    assert (result.ok, result.outcome, result.error_code) == (False, outcome, error_code)
    assert result.provider_message_id is None
    assert token not in (result.detail or "")


@pytest.mark.parametrize(
    ("token", "error_code"), [("unavailable-device", "UNAVAILABLE"), ("internal-device", "INTERNAL")]
)
def test_server_errors_are_retried_inside_the_library_then_reported_retryable(transport, fcm_server, token, error_code):
    [result] = transport.send([push(token)])

    assert (result.outcome, result.error_code) == ("retryable", error_code)
    assert fcm_server.attempts(token) == 1 + FAST_RETRY.status


def test_a_transient_unavailable_answer_recovers_within_the_library_retry(transport, fcm_server):
    fcm_server.fail_next("flaky-device", 2, "UNAVAILABLE")

    [result] = transport.send([push("flaky-device")])

    assert result.ok
    assert fcm_server.attempts("flaky-device") == 3


def test_library_retries_can_be_turned_off_per_transport(fcm_server):
    fcm_server.fail_next("flaky-device", 1, "UNAVAILABLE")
    with make_transport(fcm_server, http_retry=NO_RETRY) as transport:
        [result] = transport.send([push("flaky-device")])

    assert (result.outcome, result.error_code) == ("retryable", "UNAVAILABLE")
    assert fcm_server.attempts("flaky-device") == 1


def test_a_global_outage_makes_every_message_retryable(transport, fcm_server):
    fcm_server.fail_all("QUOTA_EXCEEDED")

    results = transport.send([push(f"device-{i}") for i in range(3)])

    assert {r.outcome for r in results} == {"retryable"}
    fcm_server.fail_all(None)
    assert transport.send([push("device-0")])[0].ok


def test_1200_messages_each_go_out_once_through_messaging_send_with_their_own_answer(
    transport, fcm_server, monkeypatch
):
    through_the_library = []
    real_send = messaging.send

    def counting_send(message, dry_run=False, app=None):
        through_the_library.append(message.token)
        return real_send(message, dry_run=dry_run, app=app)

    monkeypatch.setattr(messaging, "send", counting_send)
    messages = [push(f"device-{i:04d}") for i in range(1200)]

    results = transport.send(messages)

    assert sorted(through_the_library) == [m.token for m in messages]
    assert len(results) == 1200 and all(r.ok for r in results)
    assert sorted(r.token for r in fcm_server.accepted) == [m.token for m in messages]
    assert len({r.provider_message_id for r in results}) == 1200


def test_no_messages_means_no_request(transport, fcm_server, monkeypatch):
    def must_not_be_called(*args, **kwargs):
        raise AssertionError("messaging.send called with nothing to send")

    monkeypatch.setattr(messaging, "send", must_not_be_called)

    assert transport.send([]) == []
    assert fcm_server.calls == []


def test_each_transport_has_its_own_firebase_app_and_endpoint(fcm_server):
    with FakeFCMServer(expected_token=FAKE_ACCESS_TOKEN) as other_server:
        with make_transport(fcm_server) as first, make_transport(other_server) as second:
            first.send([push("to-first")])
            second.send([push("to-second")])

        assert [r.token for r in fcm_server.accepted] == ["to-first"]
        assert [r.token for r in other_server.accepted] == ["to-second"]
    # The class-wide URL is left as the library shipped it, for any other firebase app in the process.
    assert messaging._MessagingService.FCM_URL.startswith("https://fcm.googleapis.com/")


def test_transports_can_be_created_from_several_threads_at_once(fcm_server):
    transports: list[FCMTransport] = []
    threads = [threading.Thread(target=lambda: transports.append(make_transport(fcm_server))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    try:
        assert all(t.send([push("device")])[0].ok for t in transports)
    finally:
        for t in transports:
            t.close()


def test_the_token_deprecation_warning_is_silenced_only_for_this_transport():
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        fcm_module.ignore_token_deprecation()

        fcm_module._fcm_message(push("device"))
        assert caught == []

        messaging.Message(token="device")  # anyone else still hears it
        assert [str(w.message) for w in caught] == ["Message.token is deprecated. Use Message.fid instead."]


def test_settings_choose_the_endpoint_and_google_is_the_default(fcm_server):
    from config import Settings

    settings = Settings.from_env({}, fcm_project_id="p", fcm_url=fcm_server.url)
    with FCMTransport.from_settings(settings, credential=FixedTokenCredential(), http_retry=NO_RETRY) as transport:
        assert transport.endpoint == fcm_server.url
        assert transport.send([push("device")])[0].ok

    with FCMTransport(project_id="p", credential=FixedTokenCredential()) as transport:
        assert transport.endpoint == "https://fcm.googleapis.com"


def test_the_transport_needs_a_project_and_exactly_one_credential():
    with pytest.raises(ValueError, match="project_id"):
        FCMTransport(project_id="", credential=FixedTokenCredential())
    with pytest.raises(ValueError, match="exactly one"):
        FCMTransport(project_id="p")


def test_a_batch_of_500_is_sent_concurrently_and_quickly(transport):
    started = time.perf_counter()
    results = transport.send([push(f"device-{i}") for i in range(500)])

    assert all(isinstance(r, PushResult) and r.ok for r in results)
    assert time.perf_counter() - started < 10


# -- bounded waits, bounded flight, answers as they arrive ------------------------------------------------------


def send_within(transport, messages, seconds: float, **streaming) -> list[PushResult]:
    """Send on a thread and give it ``seconds``: a transport that sleeps for FCM's Retry-After never returns."""
    results: list[list[PushResult]] = []
    thread = threading.Thread(target=lambda: results.append(transport.send(messages, **streaming)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert results, f"send did not return within {seconds} s"
    return results[0]


def test_a_long_retry_after_is_left_to_the_hub_instead_of_waited_out_in_the_library(fcm_server):
    """FCM answering 503 with Retry-After: 330 must not hold the push (and its batch) for 330 s or more."""
    fcm_server.fail_all("UNAVAILABLE", retry_after=330)
    with FCMTransport(project_id="p", credential=FixedTokenCredential(), endpoint=fcm_server.url) as transport:
        [result] = send_within(transport, [push("waiting-device")], 30)

    assert (result.outcome, result.error_code, result.retry_after) == ("retryable", "UNAVAILABLE", 330)
    assert fcm_server.attempts("waiting-device") == 1


def test_a_short_retry_after_is_honoured_inside_the_library(fcm_server):
    fcm_server.fail_next("flaky-device", 1, "UNAVAILABLE", retry_after=1)
    with FCMTransport(project_id="p", credential=FixedTokenCredential(), endpoint=fcm_server.url) as transport:
        [result] = send_within(transport, [push("flaky-device")], 30)

    assert result.ok
    assert fcm_server.attempts("flaky-device") == 2


def test_one_push_never_takes_longer_than_a_senders_lease():
    from notifications.delivery import SENDING_LEASE

    with FCMTransport(project_id="p", credential=FixedTokenCredential()) as transport:
        assert 0 < transport.longest_request_seconds < SENDING_LEASE.total_seconds()


def test_no_more_than_max_in_flight_requests_are_in_flight_at_once(fcm_server):
    """A killed worker can repeat at most what was in flight: keep that many, not the whole batch of 500."""
    fcm_server.slow_down(0.05)
    with FCMTransport(
        project_id="p", credential=FixedTokenCredential(), endpoint=fcm_server.url, max_in_flight=4
    ) as transport:
        results = transport.send([push(f"device-{i}") for i in range(40)])

    assert all(result.ok for result in results)
    assert 1 < fcm_server.max_in_progress <= 4


def test_each_answer_is_told_as_it_arrives_while_the_batch_goes_on(transport, fcm_server):
    fcm_server.slow_down(1.0, token="slow-device")
    told: list[tuple[int, PushResult, int]] = []
    tokens = ["slow-device", *(f"quick-device-{i}" for i in range(5))]

    results = transport.send(
        [push(token) for token in tokens],
        on_result=lambda index, result: told.append((index, result, len(fcm_server.accepted))),
    )

    assert sorted(index for index, _, _ in told) == list(range(6))  # once each
    assert told[-1][0] == 0  # the slow one last, the quick ones while it was still on its way
    assert [result for _, result, _ in sorted(told, key=lambda item: item[0])] == results
    assert all(result.ok for result in results)


def test_a_stopped_send_starts_no_more_pushes(fcm_server):
    fcm_server.slow_down(0.1)
    stop = threading.Event()
    with FCMTransport(
        project_id="p", credential=FixedTokenCredential(), endpoint=fcm_server.url, max_in_flight=1
    ) as one_at_a_time:
        results = one_at_a_time.send(
            [push(f"device-{i}") for i in range(10)], on_result=lambda index, result: stop.set(), stop=stop
        )

    sent = [result for result in results if result.ok]
    assert 1 <= len(sent) <= 2  # what was already on its way when the first answer said stop
    assert all(result.never_left for result in results if not result.ok)
    assert len(fcm_server.calls) == len(sent)
