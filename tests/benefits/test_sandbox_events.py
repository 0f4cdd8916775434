"""After ``sim/advance``, the sandbox delivers signed change events to a live hub (a week's changes in one batch,
a redelivery by itself); each change lands once."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections import Counter

import httpx
import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from composition import build_hub, create_app
from services.background import ManualRunner
from services.hub import Hub
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.models.benefits import PlatformEvent, PlatformEventInbox
from services.models.outbox import OutboxEvent
from services.readiness import Readiness
from tests.benefits.events import apply_accepted
from tests.factories import sign_in
from tests.sandbox import PLATFORM_KEY, serve_sandbox


@dataclasses.dataclass
class LiveHub:
    url: str
    sandbox_url: str
    hub: Hub
    client: object


@contextlib.contextmanager
def live_hub_with_events(settings, test_database):
    """A hub served over HTTP and a sandbox that posts its change events to it."""
    holder = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True)
    hub_url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-hub", daemon=True)
    thread.start()
    try:
        with serve_sandbox(
            hub_events_url=f"{hub_url}/v1/platform/events", hub_events_secret=settings.platform_events_secret
        ) as sandbox:
            hub_settings = dataclasses.replace(
                settings,
                public_url=hub_url,
                sandbox_url=sandbox.url,
                oidc_issuer=f"{sandbox.url}/idp",
                staff_oidc_issuer=f"{sandbox.url}/staff-idp",
                platform_url=f"{sandbox.url}/platform",
                platform_key=PLATFORM_KEY,
            )
            hub = build_hub(
                hub_settings, engine=test_database.engine, readiness=Readiness(cache_seconds=0), runner=ManualRunner
            )
            with hub.session() as session:
                ensure_app_clients(session, SANDBOX_APPS)
            holder["app"] = create_app(hub=hub)
            yield LiveHub(hub_url, sandbox.url, hub, holder["app"].test_client())
    finally:
        server.shutdown()
        thread.join(timeout=5)


def wait_until_delivered(sandbox_url: str, timeout: float = 60.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        events = httpx.get(f"{sandbox_url}/platform/sim/events?limit=1000").json()["events"]
        if all(e["delivery"]["status"] == "delivered" for e in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def outbox_by_resident(hub: Hub) -> dict[str, list[tuple[str, dict]]]:
    with hub.session() as session:
        rows = session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
        grouped: dict[str, list] = {}
        for row in rows:
            grouped.setdefault(row.resident_id, []).append((row.type, row.payload))
        return grouped


@pytest.mark.slow
def test_seven_days_of_changes_arrive_signed_and_land_in_the_outbox_once(settings, test_database, hub):
    with live_hub_with_events(settings, test_database) as live:
        people = {name: sign_in(live.client, live.sandbox_url, name) for name in ("maria", "james", "ana")}
        ids = {}
        for name, who in people.items():
            body = live.client.get("/v1/me/benefits", headers=who.headers).get_json()
            assert {s["status"] for s in body["meta"]["sources"] if s["status"] != "not_linked"} == {"fresh"}
            ids[name] = live.client.get("/v1/me", headers=who.headers).get_json()["id"]
        assert outbox_by_resident(live.hub) == {}  # first pictures are baselines

        advanced = httpx.post(f"{live.sandbox_url}/platform/sim/advance", json={"days": 7}).json()
        assert advanced["events_emitted"] > 0
        events = wait_until_delivered(live.sandbox_url)
        assert {e["delivery"]["status"] for e in events} == {"delivered"}
        # the week's events went together in one batch (answered 200 with each event's status), not one by one
        assert {e["delivery"]["attempts"][-1]["status_code"] for e in events} == {200}
        with live.hub.session() as session:
            assert session.scalar(select(func.count()).select_from(PlatformEventInbox)) == len(events)
        apply_accepted(live.hub)  # the worker's drain of what the hub accepted

        outbox = outbox_by_resident(live.hub)
        kinds = {name: Counter(t for t, _ in outbox.get(ids[name], [])) for name in ids}
        # maria: the income document falls overdue; the Medicaid renewal packet is issued
        assert kinds["maria"]["action.updated"] >= 1 and kinds["maria"]["action.requested"] == 1
        assert kinds["maria"]["notice.posted"] == 1
        maria_status = [p for t, p in outbox[ids["maria"]] if t == "benefit.status_changed"]
        assert [(p["program_code"], p["new_status"]) for p in maria_status] == [("MEDICAID", "renewal_due")]
        # james: interview held; SNAP approved with a first payment and a notice
        james_status = [p for t, p in outbox[ids["james"]] if t == "benefit.status_changed"]
        assert [(p["old_status"], p["new_status"]) for p in james_status] == [("pending", "active")]
        assert kinds["james"]["payment.issued"] >= 1 and kinds["james"]["notice.posted"] == 1
        # ana: reassessment visit scheduled, a notice posted
        assert kinds["ana"]["action.requested"] == 1 and kinds["ana"]["notice.posted"] == 1
        # every dedupe key once, and nothing about the payload that names a person
        with live.hub.session() as session:
            keys = list(session.scalars(select(OutboxEvent.dedupe_key)))
            assert len(keys) == len(set(keys))
            outcomes = Counter(session.scalars(select(PlatformEvent.outcome)))
        assert outcomes["applied"] >= 3

        # the platform sends the same events again: nothing new in the outbox
        before = sum(len(v) for v in outbox_by_resident(live.hub).values())
        persona_events = [e for e in events if e["person_id"] in {"PER000000011", "PER000000022", "PER000000033"}]
        for event in persona_events:
            httpx.post(f"{live.sandbox_url}/platform/sim/events/redeliver", json={"event_id": event["event_id"]})
        again = {e["event_id"]: e for e in wait_until_delivered(live.sandbox_url)}
        for event in persona_events:  # sent again (alone, or with others queued at once): answered duplicate
            assert again[event["event_id"]]["delivery"]["attempts"][-1]["status_code"] == 200
        apply_accepted(live.hub)
        assert sum(len(v) for v in outbox_by_resident(live.hub).values()) == before

        # and the residents see the new picture
        james_body = live.client.get("/v1/me/benefits", headers=people["james"].headers).get_json()
        snap = next(b for b in james_body["data"] if b["program"]["code"] == "SNAP")
        assert snap["status"] == "active" and snap["amount"]["cents"] == 29100
