"""``POST /v1/partner/events``: an agency system's case change, in the platform's shape, through the platform
webhook's own code (snapshot, outbox, notifications), idempotent by the partner's event id, for its own agency."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from notifications.dispatch import dispatch_job
from services.models.audit import AuditEvent
from services.models.outbox import OutboxEvent
from tests.factories import create_signed_in_resident, create_snapshot
from tests.partner.factories import register_app, token_for
from tests.platform.payloads import page
from tests.problem_assertions import assert_problem


def event(event_id="dhs-evt-1", agency="DHS", **extra) -> dict:
    body = {
        "event_id": event_id,
        "type": "record.changed",
        "agency": agency,
        "person_id": "PER000000022",
        "record_id": "IES100200402",
        "occurred_at": "2026-11-28T06:00:00Z",
        "document": json.loads(page("dhs_james_day7.json").text),
    }
    body.update(extra)
    return body


@pytest.fixture
def james(hub):
    resident = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    create_snapshot(hub, resident.id, "DHS", "dhs_james_day0.json")
    return resident


@pytest.fixture
def dhs(client, hub):
    client_id, key, _ = register_app(hub)
    return token_for(client, client_id, key)


def outbox(hub) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(OutboxEvent))


def test_a_partner_event_updates_the_case_writes_the_outbox_and_reaches_the_inbox(client, hub, james, dhs):
    response = client.post("/v1/partner/events", json=event(), headers=dhs)
    assert response.status_code == 200 and response.get_json() == {"event_id": "dhs-evt-1", "status": "applied"}
    assert "X-RateLimit-Limit" in response.headers
    snap = client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]
    assert snap["status"] == "active" and snap["amount"]["cents"] == 29100
    assert outbox(hub) == 4
    dispatch_job(hub)
    assert client.get("/v1/me/notifications", headers=james.headers).get_json()["data"]
    again = client.post("/v1/partner/events", json=event(), headers=dhs)
    assert again.status_code == 200 and again.get_json()["status"] == "duplicate"
    assert outbox(hub) == 4


def test_event_ids_are_the_apps_own(client, hub, james, dhs):
    assert client.post("/v1/partner/events", json=event(), headers=dhs).get_json()["status"] == "applied"
    client_id, key, _ = register_app(hub)
    other = token_for(client, client_id, key)
    # the same id from another app is not a duplicate of the first app's event (it is the same change: unchanged)
    assert client.post("/v1/partner/events", json=event(), headers=other).get_json()["status"] == "unchanged"


def test_an_event_for_another_agency_is_refused_audited_and_changes_nothing(client, hub, james, dhs):
    body = assert_problem(client.post("/v1/partner/events", json=event(agency="HFS"), headers=dhs), 403, field="agency")
    assert "DHS" in body["detail"] and outbox(hub) == 0
    with hub.session() as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "partner.event")).all()
    assert [row.outcome for row in refused] == ["denied"]


def test_a_change_from_the_future_is_refused_naming_occurred_at(client, hub, james, dhs):
    ahead = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert_problem(
        client.post("/v1/partner/events", json=event(occurred_at=ahead), headers=dhs), 422, field="occurred_at"
    )
    assert outbox(hub) == 0
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=60)).isoformat()  # clock drift is fine
    assert client.post("/v1/partner/events", json=event(occurred_at=soon), headers=dhs).status_code == 200


@pytest.mark.parametrize(("change", "field"), [({"type": "record.deleted"}, "type"), ({"record_id": ""}, "record_id")])
def test_bad_events_are_named(client, hub, james, dhs, change, field):
    assert_problem(client.post("/v1/partner/events", json=event(**change), headers=dhs), 422, field=field)
    assert outbox(hub) == 0


def test_events_need_events_write_and_a_partner_token(client, hub, james):
    client_id, key, _ = register_app(hub, scopes=("notifications:send",))
    assert_problem(client.post("/v1/partner/events", json=event(), headers=token_for(client, client_id, key)), 403)
    assert_problem(client.post("/v1/partner/events", json=event(), headers=james.headers), 401)
    assert_problem(client.post("/v1/partner/events", json=event()), 401)
    assert outbox(hub) == 0
