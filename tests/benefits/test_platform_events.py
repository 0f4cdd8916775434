"""``POST /v1/platform/events``: signed, fresh, once per event id, stored before the 2xx."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services import clock
from services.models.benefits import PlatformEvent
from services.models.outbox import OutboxEvent
from services.platform.signatures import sign
from tests.benefits.events import SECRET, post_event
from tests.factories import create_signed_in_resident, create_snapshot
from tests.platform.payloads import page
from tests.problem_assertions import assert_problem


def event_body(event_id="evt_1", agency="DHS", record_id="IES100200402", fixture="dhs_james_day7.json", **extra):
    text = page(fixture).text
    document = text if fixture.endswith(".xml") else json.loads(text)
    body = {
        "event_id": event_id,
        "type": "record.changed",
        "agency": agency,
        "person_id": "PER000000022",
        "record_id": record_id,
        "occurred_at": "2026-11-28T06:00:00Z",
        "scenario_day": 4,
        "document": document,
    }
    body.update(extra)
    return json.dumps(body).encode()


post = post_event


@pytest.fixture
def james(hub):
    resident = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    create_snapshot(hub, resident.id, "DHS", "dhs_james_day0.json")
    return resident


def count(hub, model) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_signed_event_updates_the_snapshot_and_writes_the_outbox_once(client, hub, james):
    response = post(client, event_body())
    assert response.status_code == 200 and response.get_json() == {"event_id": "evt_1", "status": "applied"}
    snap = client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]
    assert snap["status"] == "active" and snap["amount"]["cents"] == 29100
    assert count(hub, OutboxEvent) == 4
    again = post(client, event_body())
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    other_id = post(client, event_body(event_id="evt_2"))  # the same change under another id: nothing new
    assert other_id.get_json()["status"] == "unchanged"
    assert count(hub, OutboxEvent) == 4


def test_an_event_for_a_record_nobody_linked_is_accepted_and_ignored(client, hub):
    response = post(client, event_body(record_id="IES999999999"))
    assert response.status_code == 202 and response.get_json()["status"] == "ignored"
    assert count(hub, PlatformEvent) == 1 and count(hub, OutboxEvent) == 0


def test_an_unreadable_document_keeps_the_last_good_copy_and_queues_a_pull(client, hub, james):
    raw = event_body(document={"cases": [{"programCode": "SNAP", "statusCode": "WHAT"}]})
    response = post(client, raw)
    assert response.status_code == 202 and response.get_json()["status"] == "source_error"
    body = client.get("/v1/me/benefits", headers=james.headers).get_json()
    assert body["data"][0]["status"] == "pending"  # unchanged
    assert {s["agency"]: s["status"] for s in body["meta"]["sources"]}["DHS"] == "stale"
    assert ("benefits.refresh_source", {"resident_id": james.id, "agency": "DHS"}) in hub.runner.pending


@pytest.mark.parametrize(
    "tamper",
    [
        {"secret": "not-the-secret"},
        {"signature": "v1=" + "0" * 64},
        {"signature": ""},
        {"timestamp": 1},  # replayed long after the window
    ],
)
def test_a_bad_or_old_signature_is_401_and_changes_nothing(client, hub, james, tamper):
    assert_problem(post(client, event_body(), **tamper), 401)
    assert count(hub, PlatformEvent) == 0 and count(hub, OutboxEvent) == 0


def test_the_window_is_the_setting(client, hub, james):
    window = hub.settings.platform_events_window_seconds
    now = int(clock.now().timestamp())
    assert_problem(post(client, event_body(), timestamp=now - window - 5), 401)
    assert post(client, event_body(), timestamp=now - window + 5).status_code == 200


def test_a_changed_body_under_a_valid_signature_is_401(client, james):
    raw = event_body()
    timestamp = int(clock.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "X-Platform-Timestamp": str(timestamp),
        "X-Platform-Signature": sign(SECRET, timestamp, raw),
    }
    assert_problem(client.post("/v1/platform/events", data=raw.replace(b"evt_1", b"evt_9"), headers=headers), 401)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"agency": "XYZ"}, "agency"), ({"occurred_at": "yesterday"}, "occurred_at"), ({"type": "other"}, "type")],
)
def test_a_signed_but_invalid_event_names_the_field(client, james, changes, field):
    assert_problem(post(client, event_body(**changes)), 422, field=field)


def test_the_header_event_id_must_match_the_body(client, james):
    assert_problem(post(client, event_body(), event_id="evt_other"), 422, field="event_id")


def test_a_resident_token_is_not_a_platform_signature(client, james):
    response = client.post("/v1/platform/events", json={"event_id": "x"}, headers=james.headers)
    assert_problem(response, 401)


def test_an_event_older_than_the_last_applied_one_is_not_applied(client, hub, james):
    post(client, event_body())
    older = event_body(event_id="evt_old", fixture="dhs_james_day0.json", occurred_at="2026-11-20T06:00:00Z")
    assert post(client, older).get_json()["status"] == "stale"
    assert client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]["status"] == "active"
