"""Redis down or frozen (accepting connections, answering nothing): every request still answers, and quickly.

Queuing a job is best effort: a request never fails because the broker is out, and a refresh that could not be
queued is not recorded as requested. Every Redis call a request makes gives up within ``REDIS_TIMEOUT_SECONDS``:
the rate limiter then counts in memory, queuing is skipped and logged, ``/readyz`` reports the broker.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from composition import create_app
from services import clock
from services.background import ManualRunner
from services.benefits.event_inbox import apply_platform_events_job
from services.celery_app import CeleryRunner
from services.identity.app_registry import SANDBOX_APPS, ensure_app_clients
from services.models.benefits import BenefitSource, PlatformEvent, PlatformEventInbox
from services.models.identity import ResidentLink
from services.readiness import redis_check
from tests.benefits.events import change_event, post_event
from tests.factories import create_signed_in_resident, create_snapshot
from tests.fakes.frozen_server import frozen_server
from tests.platform.payloads import page

BOUND = 1.5  # seconds per request: a 0.25 s Redis timeout on a busy 2-core machine (before: 5 s, or forever)


@pytest.fixture(params=["down", "frozen"])
def redis_outage(request) -> Iterator[str]:
    """The URL of a Redis that refuses connections, or of one that accepts them and never answers."""
    if request.param == "down":
        yield "redis://127.0.0.1:1/0"
    else:
        with frozen_server() as port:
            yield f"redis://127.0.0.1:{port}/0"


def within(seconds: float, call: Callable):
    """``call()``'s result, failing the test if it has not answered within ``seconds`` (it may never)."""
    box: dict = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as error:  # re-raised below, in the test's thread
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    started = time.perf_counter()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"no answer within {seconds} s"
    if "error" in box:
        raise box["error"]
    box["elapsed"] = time.perf_counter() - started
    return box["result"]


@pytest.fixture
def broker_out(hub, redis_outage):
    """Background work goes to a Celery broker that is out, as the web process would publish it."""
    hub.settings = dataclasses.replace(hub.settings, celery_broker_url=redis_outage)
    hub.runner = CeleryRunner.publishing(hub.settings, hub.jobs)
    return hub


def broker_back(hub) -> ManualRunner:
    hub.runner = ManualRunner(hub, hub.jobs)
    return hub.runner


@pytest.fixture
def stale_maria(hub):
    """maria with DHS and HFS copies older than ``FRESH_SECONDS``: every read wants to queue two refreshes."""
    resident = create_signed_in_resident(hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"})
    create_snapshot(hub, resident.id, "DHS", "dhs_maria_day0.json")
    create_snapshot(hub, resident.id, "HFS", "hfs_maria_day0.json")
    clock.set_now(clock.now() + dt.timedelta(seconds=hub.settings.fresh_seconds + 60))
    return resident


def refresh_requests(hub, resident_id: str) -> dict[str, object]:
    with hub.session() as session:
        rows = session.scalars(select(BenefitSource).where(BenefitSource.resident_id == resident_id))
        return {row.agency: row.refresh_requested_at for row in rows}


def queued_refreshes(runner: ManualRunner) -> list[str]:
    return sorted(kwargs["agency"] for name, kwargs in runner.pending if name == "benefits.refresh_source")


def one_benefit_path(client, resident) -> str:
    return "/v1/me/benefits/" + client.get("/v1/me/benefits", headers=resident.headers).get_json()["data"][0]["id"]


@pytest.mark.parametrize("path", ["/v1/me/benefits", "/v1/me/actions", "one benefit"])
def test_a_read_answers_at_once_and_leaves_the_refresh_to_the_next_read(client, broker_out, stale_maria, path):
    if path == "one benefit":
        path = one_benefit_path(client, stale_maria)
    for _ in range(2):  # the second read does not wait on the broker again
        response = within(BOUND, lambda: client.get(path, headers=stale_maria.headers))
        assert response.status_code == 200, response.get_data(as_text=True)
        assert "stale" in {s["status"] for s in response.get_json()["meta"]["sources"]}
    assert set(refresh_requests(broker_out, stale_maria.id).values()) == {None}  # not recorded as requested

    runner = broker_back(broker_out)
    assert client.get(path, headers=stale_maria.headers).status_code == 200
    assert queued_refreshes(runner) in (["DHS", "HFS"], ["DHS"], ["HFS"])  # at once, not a minute later
    assert None not in {refresh_requests(broker_out, stale_maria.id)[a] for a in queued_refreshes(runner)}


def _two_dhs_records(hub):
    """A resident with two DHS records: a pushed change to one of them is applied by a pull of both."""
    james = create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    with hub.session() as session:
        session.add(
            ResidentLink(resident_id=james.id, agency="DHS", record_id="IES100200999", method="mpi", proof="identity")
        )
        session.commit()
    return change_event("evt_pull", "DHS", "IES100200402", "2026-12-02T06:00:00Z", {"cases": []})


def _unreadable(hub):
    create_signed_in_resident(hub, links={"DHS": "IES100200402"})
    return change_event("evt_pull", "DHS", "IES100200402", "2026-12-02T06:00:00Z", {"cases": [{"statusCode": "?"}]})


@pytest.mark.parametrize("needs_a_pull", [_two_dhs_records, _unreadable])
def test_an_event_whose_pull_cannot_be_queued_stays_in_the_inbox_until_the_broker_is_back(
    client, broker_out, needs_a_pull
):
    event = needs_a_pull(broker_out)
    response = within(BOUND, lambda: post_event(client, event))
    assert response.status_code == 202 and response.get_json()["status"] == "accepted"  # stored, whatever the broker
    assert within(BOUND * 4, lambda: apply_platform_events_job(broker_out)) == 0  # a worker's drain: nothing taken
    assert inbox_and_remembered(broker_out) == (1, 0)

    runner = broker_back(broker_out)
    assert post_event(client, event).get_json()["status"] == "duplicate"  # its redelivery is harmless meanwhile
    assert apply_platform_events_job(broker_out) == 1  # the periodic sweep, once the broker is back
    assert inbox_and_remembered(broker_out) == (0, 1)
    with broker_out.session() as session:
        assert session.get(PlatformEvent, "evt_pull").outcome in ("refresh_queued", "source_error")
    assert queued_refreshes(runner) == ["DHS"]


def inbox_and_remembered(hub) -> tuple[int, int]:
    with hub.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (PlatformEventInbox, PlatformEvent))


def test_readiness_reports_the_broker_within_its_timeout(client, hub, redis_outage):
    hub.readiness.add("broker", redis_check(redis_outage, hub.settings.redis_timeout_seconds))
    response = within(BOUND, lambda: client.get("/readyz"))
    assert response.status_code == 503
    assert {c["name"]: c["ok"] for c in response.get_json()["checks"]} == {"database": True, "broker": False}


def test_rate_limits_hold_in_memory_and_no_route_waits_on_the_store(settings, hub, redis_outage):
    limited = dataclasses.replace(settings, rate_limit_storage_url=redis_outage, rate_limit_refresh="3/minute")
    hub.settings = limited
    app = create_app(hub=hub)
    client = app.test_client()
    with hub.session() as session:
        ensure_app_clients(session, SANDBOX_APPS)
    sign_in = {"grant_type": "refresh_token", "refresh_token": "not-a-token", "client_id": "sandbox-app"}
    answers = [within(BOUND, lambda: client.post("/v1/auth/token", json=sign_in)).status_code for _ in range(4)]
    assert answers[:3] == [400, 400, 400] and answers[3] == 429  # still limited, counted in memory
    for path, status in [("/healthz", 200), ("/v1/me", 401), ("/v1/me/benefits", 401)]:
        assert within(BOUND, lambda path=path: client.get(path)).status_code == status


def test_a_pushed_event_that_needs_no_pull_is_applied_while_the_broker_is_out(client, broker_out):
    james = create_signed_in_resident(broker_out, links={"DHS": "IES100200402"})
    create_snapshot(broker_out, james.id, "DHS", "dhs_james_day0.json")
    document = json.loads(page("dhs_james_day7.json").text)
    event = change_event("evt_direct", "DHS", "IES100200402", "2026-12-02T06:00:00Z", document)
    assert within(BOUND, lambda: post_event(client, event)).get_json()["status"] == "accepted"
    assert within(BOUND * 4, lambda: apply_platform_events_job(broker_out)) == 1  # the periodic sweep's drain
    assert inbox_and_remembered(broker_out) == (0, 1)
    with broker_out.session() as session:
        assert session.get(PlatformEvent, "evt_direct").outcome == "applied"
