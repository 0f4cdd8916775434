"""Signed change events reach the hub over real HTTP (the events due together in one batch, a lone one by
itself), are retried until acknowledged, and can be sent again."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from simulator.app import create_app
from simulator.clock import ScenarioClock
from simulator.scenario.delivery import BATCH_BYTES, EventDelivery
from simulator.scenario.event_log import DeliveryRecord

from .conftest import PLATFORM, START, make_settings

SECRET = "test-events-secret"


@pytest.fixture
def delivering(hub_receiver):
    app = create_app(
        make_settings(residents=0, hub_events_url=hub_receiver.url, hub_events_secret=SECRET, delivery_max_attempts=3)
    )
    yield app.test_client(), hub_receiver
    app.extensions["simulator"].scenario.delivery.close()


def wait_for_status(client, event_id, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in client.get("/platform/sim/events").json["events"] if e["event_id"] == event_id]
        if found and found[0]["delivery"]["status"] == status:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"{event_id} never became {status}")


def signed_by_the_secret(request) -> bool:
    headers = request["headers"]
    expected = hmac.new(
        SECRET.encode(), f"{headers['X-Platform-Timestamp']}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    return (
        headers["X-Platform-Signature"] == f"v1={expected}"
        and abs(int(headers["X-Platform-Timestamp"]) - time.time()) < 60
    )


def events_of(request) -> list[dict]:
    body = json.loads(request["body"])
    return body["events"] if request["path"].endswith("/event-batches") else [body]


def test_a_days_events_go_in_one_signed_batch_carrying_the_feed_documents(delivering):
    client, hub = delivering
    emitted = client.post("/platform/sim/advance", json={"days": 7}).json
    [batch] = hub.wait_for(1)
    assert batch["path"] == "/v1/platform/event-batches" and signed_by_the_secret(batch)
    assert "X-Platform-Event-Id" not in batch["headers"]  # a batch's events name themselves
    received = events_of(batch)
    assert len(received) == emitted["events_emitted"] >= 5
    assert [event["event_id"] for event in received] == [e["event_id"] for e in emitted["events"]]  # in order
    for event in received:
        assert event["event_id"].startswith("evt_")
        assert event["type"] == "record.changed" and event["scenario_day"] in range(1, 8)
    assert len({event["event_id"] for event in received}) == len(received)

    approval = next(e for e in received if e["record_id"] == "IES100200402" and e["scenario_day"] == 4)
    feed = client.get("/platform/dhs/clients/IES100200402/cases", headers=PLATFORM).json
    assert approval["document"]["cases"][0]["statusCode"] == "ACTV"
    assert approval["document"]["cases"][0]["issuances"] == feed["cases"][0]["issuances"]
    for event in received:
        wait_for_status(client, event["event_id"], "delivered")
    assert len(hub.received) == 1


def test_a_lone_event_goes_to_the_events_url_signed_and_named_in_its_header(delivering):
    client, hub = delivering
    [event] = client.post("/platform/sim/advance", json={"days": 2}).json["events"]
    [request] = hub.wait_for(1)
    assert request["path"] == "/v1/platform/events" and signed_by_the_secret(request)
    assert request["headers"]["X-Platform-Event-Id"] == event["event_id"] == json.loads(request["body"])["event_id"]


def test_a_batch_stays_under_the_hubs_body_limit(hub_receiver):
    delivery = EventDelivery(hub_receiver.url, SECRET, ScenarioClock(START), 3, 0.02, 2.0)
    filler = "x" * (300 * 1024)
    records = [
        DeliveryRecord({"event_id": f"evt_{i}"}, json.dumps({"event_id": f"evt_{i}", "document": filler}).encode())
        for i in range(5)
    ]
    try:
        delivery.submit(*records)
        received = hub_receiver.wait_for(3)
    finally:
        delivery.close()
    assert [len(events_of(request)) for request in received] == [2, 2, 1]  # 600 KiB, 600 KiB, then the last alone
    assert all(len(request["body"]) < BATCH_BYTES for request in received)


def test_more_than_a_batch_takes_goes_in_several_of_at_most_500(hub_receiver):
    delivery = EventDelivery(hub_receiver.url, SECRET, ScenarioClock(START), 3, 0.02, 2.0)
    records = [
        DeliveryRecord({"event_id": f"evt_{i:04d}"}, json.dumps({"event_id": f"evt_{i:04d}"}).encode())
        for i in range(1001)
    ]
    try:
        delivery.submit(*records)
        received = hub_receiver.wait_for(3)
        deadline = time.monotonic() + 5
        while records[-1].status == "pending" and time.monotonic() < deadline:  # the answer is being recorded
            time.sleep(0.01)
    finally:
        delivery.close()
    assert [len(events_of(request)) for request in received] == [500, 500, 1]
    assert [r["path"] for r in received] == ["/v1/platform/event-batches"] * 2 + ["/v1/platform/events"]
    assert [e["event_id"] for request in received for e in events_of(request)] == [f"evt_{i:04d}" for i in range(1001)]
    assert all(signed_by_the_secret(request) for request in received)
    assert {record.status for record in records} == {"delivered"}


def test_an_event_is_retried_with_backoff_until_the_hub_acknowledges_it(delivering):
    client, hub = delivering
    hub.fail_first = 2
    [event] = [
        e
        for e in client.post("/platform/sim/advance", json={"days": 2}).json["events"]
        if e["person_id"] == "PER000000022"
    ]
    delivered = wait_for_status(client, event["event_id"], "delivered")
    assert [a.get("status_code") for a in delivered["delivery"]["attempts"]] == [503, 503, 202]
    bodies = {r["body"] for r in hub.received}
    assert len(bodies) == 1  # the same event every time


def test_a_refused_batch_is_retried_together_until_the_hub_acknowledges_it(delivering):
    client, hub = delivering
    hub.fail_first = 2
    emitted = client.post("/platform/sim/advance", json={"days": 7}).json["events"]
    for event in emitted:
        delivered = wait_for_status(client, event["event_id"], "delivered")
        assert [a.get("status_code") for a in delivered["delivery"]["attempts"]] == [503, 503, 200]
    assert len(hub.received) == 3 and len({r["body"] for r in hub.received}) == 1  # the same batch each time


def test_delivery_gives_up_after_a_bounded_number_of_attempts_and_records_it(delivering):
    client, hub = delivering
    hub.fail_first = 100
    [event] = client.post("/platform/sim/advance", json={"days": 2}).json["events"]
    failed = wait_for_status(client, event["event_id"], "failed")
    assert len(failed["delivery"]["attempts"]) == 3


def test_redeliver_sends_the_same_event_again(delivering):
    client, hub = delivering
    [event] = client.post("/platform/sim/advance", json={"days": 2}).json["events"]
    wait_for_status(client, event["event_id"], "delivered")
    assert client.post("/platform/sim/events/redeliver", json={"event_id": event["event_id"]}).status_code == 200
    first, second = hub.wait_for(2)
    assert first["body"] == second["body"] and second["path"] == "/v1/platform/events"
    assert second["headers"]["X-Platform-Event-Id"] == event["event_id"]
    record = wait_for_status(client, event["event_id"], "delivered")
    assert record["delivery"]["redeliveries"] == 1 and len(record["delivery"]["attempts"]) == 2
    assert client.post("/platform/sim/events/redeliver", json={"event_id": "evt_nope"}).status_code == 404


def test_without_a_hub_url_events_are_recorded_not_sent(client):
    assert client.post("/platform/sim/advance", json={"days": 3}).json["events_emitted"] > 0
    events = client.get("/platform/sim/events?limit=500").json
    assert events["counts"]["not_sent"] == events["counts"]["total"]
    some = events["events"][0]["event_id"]
    assert client.post("/platform/sim/events/redeliver", json={"event_id": some}).status_code == 409


def test_each_events_document_is_exactly_what_that_agencys_feed_serves_that_day(client):
    feed_of = {
        "DHS": lambda e: f"/platform/dhs/clients/{e['record_id']}/cases",
        "HFS": lambda e: f"/platform/hfs/fhir/Coverage?beneficiary=Patient/{e['record_id']}",
        "AGING": lambda e: f"/platform/aging/export?person_id={e['person_id']}",
        "DCEO": lambda e: f"/platform/dceo/applicants/{e['record_id']}",
        "DEC": lambda e: f"/platform/dec/cases?person_id={e['person_id']}",
    }
    events = client.application.extensions["simulator"].scenario.events
    seen = set()
    for _ in range(10):
        for summary in client.post("/platform/sim/advance", json={"days": 1}).json["events"]:
            document = json.loads(events.get(summary["event_id"]).body)["document"]
            served = client.get(feed_of[summary["agency"]](summary), headers=PLATFORM)
            assert document == (served.data.decode() if summary["agency"] == "DEC" else served.json)
            seen.add(summary["agency"])
    assert seen == set(feed_of)
