"""``POST /v1/platform/events`` and ``/event-batches``: signed, fresh, stored in the inbox before the 2xx, and
applied once per event id by the background drain (run here as a worker runs it)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services import clock
from services.models.benefits import PlatformEvent, PlatformEventInbox
from services.models.outbox import OutboxEvent
from services.platform.signatures import sign
from tests.benefits.events import SECRET, apply_accepted, post_batch, post_event
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


def outcome(hub, event_id: str) -> str | None:
    with hub.session() as session:
        return session.scalar(select(PlatformEvent.outcome).where(PlatformEvent.event_id == event_id))


def accepted(response, event_id="evt_1") -> bool:
    return response.status_code == 202 and response.get_json() == {"event_id": event_id, "status": "accepted"}


def test_a_signed_event_updates_the_snapshot_and_writes_the_outbox_once(client, hub, james):
    response = post(client, event_body())
    assert accepted(response)
    assert count(hub, PlatformEventInbox) == 1 and count(hub, OutboxEvent) == 0  # stored, not yet applied
    assert post(client, event_body()).get_json()["status"] == "duplicate"  # waiting in the inbox: known
    assert apply_accepted(hub) >= 1
    assert count(hub, PlatformEventInbox) == 0 and outcome(hub, "evt_1") == "applied"
    snap = client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]
    assert snap["status"] == "active" and snap["amount"]["cents"] == 29100
    assert count(hub, OutboxEvent) == 4
    again = post(client, event_body())
    assert again.status_code == 200 and again.get_json() == {"event_id": "evt_1", "status": "duplicate"}
    assert accepted(post(client, event_body(event_id="evt_2")), "evt_2")  # the same change under another id
    apply_accepted(hub)
    assert outcome(hub, "evt_2") == "unchanged" and count(hub, OutboxEvent) == 4
    assert ("notifications.dispatch", {}) in hub.runner.pending  # the outbox rows are dispatched at once


def test_an_event_for_a_record_nobody_linked_is_accepted_and_ignored(client, hub):
    assert accepted(post(client, event_body(record_id="IES999999999")))
    apply_accepted(hub)
    assert outcome(hub, "evt_1") == "ignored" and count(hub, OutboxEvent) == 0
    assert count(hub, PlatformEventInbox) == 0


def test_an_unreadable_document_keeps_the_last_good_copy_and_queues_a_pull(client, hub, james):
    raw = event_body(document={"cases": [{"programCode": "SNAP", "statusCode": "WHAT"}]})
    assert accepted(post(client, raw))
    apply_accepted(hub)
    assert outcome(hub, "evt_1") == "source_error"
    body = client.get("/v1/me/benefits", headers=james.headers).get_json()
    assert body["data"][0]["status"] == "pending"  # unchanged
    assert {s["agency"]: s["status"] for s in body["meta"]["sources"]}["DHS"] == "stale"
    assert ("benefits.refresh_source", {"resident_id": james.id, "agency": "DHS"}) in hub.runner.pending


def test_an_event_whose_pull_cannot_be_queued_stays_in_the_inbox(client, hub, james):
    raw = event_body(document={"cases": [{"programCode": "SNAP", "statusCode": "WHAT"}]})
    assert accepted(post(client, raw))
    refuse = hub.runner.submit
    hub.runner.submit = lambda job, **kwargs: False if job.name == "benefits.refresh_source" else refuse(job, **kwargs)
    try:
        apply_accepted(hub)
    finally:
        del hub.runner.submit
    assert count(hub, PlatformEventInbox) == 1 and outcome(hub, "evt_1") is None
    hub.runner.submit(hub.runner.jobs.named("benefits.apply_platform_events"))  # the periodic sweep
    apply_accepted(hub)
    assert count(hub, PlatformEventInbox) == 0 and outcome(hub, "evt_1") == "source_error"


def test_a_batch_answers_each_event_and_applies_them_in_order(client, hub, james):
    newer = event_body(event_id="evt_new")
    older = event_body(event_id="evt_old", fixture="dhs_james_day0.json", occurred_at="2026-11-20T06:00:00Z")
    response = post_batch(client, [newer, older, newer])
    assert response.status_code == 200
    assert response.get_json()["results"] == [
        {"event_id": "evt_new", "status": "accepted"},
        {"event_id": "evt_old", "status": "accepted"},
        {"event_id": "evt_new", "status": "duplicate"},
    ]
    apply_accepted(hub)
    assert (outcome(hub, "evt_new"), outcome(hub, "evt_old")) == ("applied", "stale")
    assert client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]["status"] == "active"
    again = post_batch(client, [newer])
    assert again.get_json()["results"] == [{"event_id": "evt_new", "status": "duplicate"}]


def test_a_batch_with_one_invalid_event_stores_nothing(client, hub, james):
    response = post_batch(client, [event_body(), event_body(event_id="evt_2", agency="XYZ")])
    assert_problem(response, 422, field="events.1.agency")
    assert count(hub, PlatformEventInbox) == 0


def test_a_batch_signed_with_another_secret_is_401(client, hub, james):
    assert_problem(post_batch(client, [event_body()], secret="not-the-secret"), 401)
    assert count(hub, PlatformEventInbox) == 0


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
    assert count(hub, PlatformEventInbox) == 0 and count(hub, OutboxEvent) == 0


def test_the_window_is_the_setting(client, hub, james):
    window = hub.settings.platform_events_window_seconds
    now = int(clock.now().timestamp())
    assert_problem(post(client, event_body(), timestamp=now - window - 5), 401)
    assert post(client, event_body(), timestamp=now - window + 5).status_code == 202


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
    apply_accepted(hub)
    older = event_body(event_id="evt_old", fixture="dhs_james_day0.json", occurred_at="2026-11-20T06:00:00Z")
    assert accepted(post(client, older), "evt_old")
    apply_accepted(hub)
    assert outcome(hub, "evt_old") == "stale"
    assert client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]["status"] == "active"
