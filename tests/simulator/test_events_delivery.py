"""Signed change events reach the hub over real HTTP, are retried until acknowledged, and can be sent again."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from simulator.app import create_app

from .conftest import PLATFORM, make_settings

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


def test_every_event_is_signed_with_the_shared_secret_and_carries_the_feed_document(delivering):
    client, hub = delivering
    emitted = client.post("/platform/sim/advance", json={"days": 7}).json
    received = hub.wait_for(emitted["events_emitted"])
    assert len(received) == emitted["events_emitted"] >= 5
    for request in received:
        body, headers = request["body"], request["headers"]
        expected = hmac.new(
            SECRET.encode(), f"{headers['X-Platform-Timestamp']}.".encode() + body, hashlib.sha256
        ).hexdigest()
        assert headers["X-Platform-Signature"] == f"v1={expected}"
        assert abs(int(headers["X-Platform-Timestamp"]) - time.time()) < 60
        event = json.loads(body)
        assert headers["X-Platform-Event-Id"] == event["event_id"] and event["event_id"].startswith("evt_")
        assert event["type"] == "record.changed" and event["scenario_day"] in range(1, 8)
    assert len({json.loads(r["body"])["event_id"] for r in received}) == len(received)

    approval = next(
        json.loads(r["body"])
        for r in received
        if json.loads(r["body"])["record_id"] == "IES100200402" and json.loads(r["body"])["scenario_day"] == 4
    )
    feed = client.get("/platform/dhs/clients/IES100200402/cases", headers=PLATFORM).json
    assert approval["document"]["cases"][0]["statusCode"] == "ACTV"
    assert approval["document"]["cases"][0]["issuances"] == feed["cases"][0]["issuances"]
    for event in received:
        wait_for_status(client, json.loads(event["body"])["event_id"], "delivered")


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
    assert first["body"] == second["body"]
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
