"""An older view of a record never replaces a newer one, whatever the path (a pushed event, a pull on read, a
background refresh, a bulk reconciliation), and the answer says so."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time

import httpx
import pytest
from sqlalchemy import select

from services import clock
from services.benefits.sync import refresh_source
from services.benefits.view_order import is_older
from services.models.benefits import BenefitSource, PlatformEvent
from services.models.outbox import OutboxEvent
from services.platform.views import SourceView, pulled, pushed
from services.vocabulary import STATE_ZONE
from tests.benefits.events import apply_accepted, change_event, post_event
from tests.factories import create_signed_in_resident, create_snapshot, sign_in
from tests.platform.payloads import page
from tests.sandbox import PLATFORM_KEY

UTC = dt.UTC
T = dt.datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
SECOND = dt.timedelta(seconds=1)


# The rules, pure ------------------------------------------------------------------------------------------


def test_a_feed_date_places_the_pull_at_the_hubs_clock_within_that_agency_local_day():
    day = dt.date(2026, 12, 1)
    assert pulled([], T, day) == SourceView([], T, T, exact=False)
    chicago_midnight = dt.datetime(2026, 12, 1, 6, tzinfo=UTC)  # CST
    assert pulled([], T - dt.timedelta(days=3), day).shown_at == chicago_midnight  # the sandbox runs ahead
    assert chicago_midnight + dt.timedelta(days=1) - SECOND < pulled([], T + dt.timedelta(days=3), day).shown_at
    assert pulled([], T + dt.timedelta(days=3), day).shown_at < chicago_midnight + dt.timedelta(days=1)
    assert pulled([], T, chicago_midnight) == SourceView([], T, chicago_midnight, exact=True)  # the feed's instant
    assert pulled([], T, None) == SourceView([], T, T, exact=False)  # a feed with no as-of (DCEO)


@pytest.mark.parametrize(
    ("view", "stored", "older"),
    [
        (pushed([], T - SECOND, T), (None, False, None), False),  # nothing stored yet
        (pushed([], T - SECOND, T + SECOND), (T, True, T), True),  # an event from before the stored picture
        (pushed([], T, T + SECOND), (T, True, T), False),  # the same moment: not older
        (pushed([], T + SECOND, T + SECOND), (T, False, T), False),
        # a pull the hub sent after the stored picture arrived, placed only by a date or by the hub's clock
        (SourceView([], T + SECOND, T - SECOND, exact=False), (T, True, T), False),
        (SourceView([], T + SECOND, T - SECOND, exact=True), (T, False, T), False),
        # ...sent before it arrived (it was in flight while an event was applied): its moment decides
        (SourceView([], T - SECOND, T - SECOND, exact=False), (T, True, T), True),
        (SourceView([], T - SECOND, T + SECOND, exact=False), (T, True, T), False),
        # both moments are the platform's own instants: they decide, whenever the pull was sent
        (SourceView([], T + SECOND, T - SECOND, exact=True), (T, True, T), True),
    ],
)
def test_which_view_is_older(view, stored, older):
    view_at, view_exact, as_of = stored
    assert is_older(view, view_at, view_exact, as_of) is older


# Push ------------------------------------------------------------------------------------------------------


def outbox_types(context, resident_id: str) -> list[str]:
    with context.session() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.resident_id == resident_id))
        return [row.type for row in rows]


def status_changes(context, resident_id: str, program: str) -> list[tuple[str, str]]:
    with context.session() as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.resident_id == resident_id, OutboxEvent.type == "benefit.status_changed")
            .order_by(OutboxEvent.id)
        )
        return [
            (r.payload["old_status"], r.payload["new_status"]) for r in rows if r.payload["program_code"] == program
        ]


def outcome(hub, event_id: str) -> str | None:
    with hub.session() as session:
        remembered = session.get(PlatformEvent, event_id)
        return remembered and remembered.outcome


def dhs_document(fixture: str) -> dict:
    return json.loads(page(fixture).text)


def test_an_event_older_than_the_pulled_picture_is_answered_stale_and_changes_nothing(client, hub):
    james = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    assert create_snapshot(hub, james.id, "DHS", "dhs_james_day7.json") == "applied"  # pulled: SNAP active
    old = change_event("evt_old", "DHS", "IES100200402", "2026-11-24T06:00:00Z", dhs_document("dhs_james_day0.json"))

    response = post_event(client, old)
    assert response.status_code == 202 and response.get_json() == {"event_id": "evt_old", "status": "accepted"}
    apply_accepted(hub)
    snap = client.get("/v1/me/benefits", headers=james.headers).get_json()["data"][0]
    assert snap["status"] == "active"
    assert outbox_types(hub, james.id) == []  # no false "back to pending"
    with hub.session() as session:
        assert session.get(PlatformEvent, "evt_old").outcome == "stale"
    assert post_event(client, old).get_json()["status"] == "duplicate"  # remembered: redelivery is harmless

    closed = dhs_document("dhs_james_day7.json")
    closed["cases"][0]["statusCode"] = "CLSD"
    newer = change_event("evt_new", "DHS", "IES100200402", "2026-12-02T06:00:00Z", closed)
    assert post_event(client, newer).get_json()["status"] == "accepted"
    apply_accepted(hub)
    assert status_changes(hub, james.id, "SNAP") == [("active", "closed")]


def test_a_pull_older_than_the_stored_picture_keeps_it_and_counts_as_an_answer(hub):
    maria = create_signed_in_resident(hub, links={"HFS": "hfs-300400501"})
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day7.json")
    with hub.session() as session:
        before = session.scalar(select(BenefitSource).where(BenefitSource.resident_id == maria.id))
    assert create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json") == "stale"  # its own stamp is older
    with hub.session() as session:
        after = session.scalar(select(BenefitSource).where(BenefitSource.resident_id == maria.id))
    assert after.content_hash == before.content_hash and after.view_at == before.view_at
    assert after.as_of >= before.as_of and after.error_kind is None
    assert outbox_types(hub, maria.id) == []


# Pulls racing pushes, through the sandbox -----------------------------------------------------------------


@pytest.fixture
def sandbox_settings(sandbox_settings):
    return dataclasses.replace(sandbox_settings, read_budget_seconds=4.0)  # a pull on read that outlives an event


FEEDS = {
    "HFS": ("hfs-300400501", "MEDICAID", "hfs/fhir/Coverage?beneficiary=Patient/hfs-300400501"),
    "DHS": ("IES100200301", "SNAP", "dhs/clients/IES100200301/cases"),
}


def newer_document(sandbox_url: str, agency: str) -> tuple[dict, str]:
    """The agency's current document for maria with her case closed, and an ``occurred_at`` after it."""
    _, program, path = FEEDS[agency]
    document = httpx.get(f"{sandbox_url}/platform/{path}", headers={"Authorization": f"Bearer {PLATFORM_KEY}"}).json()
    if agency == "HFS":
        shown = dt.datetime.fromisoformat(document["timestamp"].replace("Z", "+00:00"))
        occurred = shown + dt.timedelta(hours=6)
        document["timestamp"] = occurred.isoformat()
        coverage = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Coverage")
        coverage["status"] = "cancelled"
    else:  # DHS gives only a date: the moment is the platform's (= the hub's) clock, within that day
        day = dt.datetime.strptime(document["asOfDate"], "%m/%d/%Y").date()
        day_start = dt.datetime.combine(day, dt.time(), STATE_ZONE).astimezone(UTC)
        occurred = max(clock.now(), day_start) + SECOND
        next(c for c in document["cases"] if c["programCode"] == program)["statusCode"] = "CLSD"
    return document, occurred.isoformat().replace("+00:00", "Z")


def fault(sandbox_url: str, agency: str, mode: str, **extra) -> None:
    response = httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": agency, "mode": mode, **extra})
    assert response.status_code == 200, response.text


def source_row(context, resident_id: str, agency: str) -> BenefitSource:
    with context.session() as session:
        return session.scalar(
            select(BenefitSource).where(BenefitSource.resident_id == resident_id, BenefitSource.agency == agency)
        )


@pytest.mark.slow
@pytest.mark.parametrize("agency", ["HFS", "DHS"])
@pytest.mark.parametrize("path", ["read", "background"])
def test_a_pull_in_flight_while_an_event_is_applied_never_overwrites_it(
    sandbox_client, sandbox_url, sandbox_hub, agency, path
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    maria_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    sandbox_client.get("/v1/me/benefits", headers=maria.headers)  # the first picture (a baseline)
    record_id, program, _ = FEEDS[agency]
    document, occurred_at = newer_document(sandbox_url, agency)
    fault(sandbox_url, agency, "slow", latency_ms=1500)
    try:
        if path == "read":
            pull = threading.Thread(
                target=sandbox_client.get, args=("/v1/me/benefits?refresh=true",), kwargs={"headers": maria.headers}
            )
        else:
            pull = threading.Thread(target=refresh_source, args=(sandbox_hub, maria_id, agency))
        pull.start()
        time.sleep(0.5)  # the pull has asked the agency and waits for its answer
        event = change_event("evt_race", agency, record_id, occurred_at, document)
        assert post_event(sandbox_client, event).get_json()["status"] == "accepted"
        apply_accepted(sandbox_hub)
        assert outcome(sandbox_hub, "evt_race") == "applied"
        applied_at = source_row(sandbox_hub, maria_id, agency).as_of
        pull.join(timeout=15)
        deadline = time.monotonic() + 10
        while source_row(sandbox_hub, maria_id, agency).as_of == applied_at and time.monotonic() < deadline:
            time.sleep(0.05)  # the pull's answer is stored (as "stale") once it arrives
        assert source_row(sandbox_hub, maria_id, agency).as_of > applied_at
    finally:
        fault(sandbox_url, agency, "ok")
    body = sandbox_client.get("/v1/me/benefits", headers=maria.headers).get_json()
    assert {b["program"]["code"]: b["status"] for b in body["data"]}[program] == "closed"
    assert status_changes(sandbox_hub, maria_id, program) == [("active", "closed")]  # no false way back


def test_reconciliation_and_a_background_refresh_keep_a_newer_pushed_picture(
    sandbox_app, sandbox_client, sandbox_url, sandbox_hub
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    maria_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    sandbox_client.get("/v1/me/benefits", headers=maria.headers)
    # the platform announces a change its HFS feed does not show yet (its Bundle.timestamp is earlier)
    document, occurred_at = newer_document(sandbox_url, "HFS")
    event = change_event("evt_ahead", "HFS", "hfs-300400501", occurred_at, document)
    assert post_event(sandbox_client, event).get_json()["status"] == "accepted"
    apply_accepted(sandbox_hub)
    assert outcome(sandbox_hub, "evt_ahead") == "applied"

    cli = sandbox_app.test_cli_runner()
    result = cli.invoke(args=["sync", "agency", "HFS"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 residents, 0 failed, 1 older than the hub's copy (kept)" in result.output
    result = cli.invoke(args=["sync", "resident", maria_id, "--agency", "HFS"])
    assert "HFS: stale" in result.output
    body = sandbox_client.get("/v1/me/benefits", headers=maria.headers).get_json()
    assert {b["program"]["code"]: b["status"] for b in body["data"]}["MEDICAID"] == "closed"
    assert {s["agency"]: s["status"] for s in body["meta"]["sources"]}["HFS"] == "fresh"  # the feed answered
    assert status_changes(sandbox_hub, maria_id, "MEDICAID") == [("active", "closed")]
