"""The persona stories through the real flow: sign in at the sandbox IdP, read benefits from the live platform."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from services.models.benefits import BenefitSource
from tests.factories import sign_in
from tests.problem_assertions import assert_problem


def read(client, who, query=""):
    response = client.get(f"/v1/me/benefits{query}", headers=who.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def programs(body):
    return {b["program"]["code"]: b for b in body["data"]}


def statuses(body):
    return {s["agency"]: s["status"] for s in body["meta"]["sources"]}


def fault(sandbox_url, agency, mode, **extra):
    response = httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": agency, "mode": mode, **extra})
    assert response.status_code == 200, response.text


def test_maria_snap_with_a_document_due_medicaid_renewal_within_30_days_and_wic(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = read(sandbox_client, maria)
    found = programs(body)
    assert {code: b["status"] for code, b in found.items()} == {"SNAP": "active", "WIC": "active", "MEDICAID": "active"}
    [document] = found["SNAP"]["actions"]
    assert (document["kind"], document["state"]) == ("document", "open")
    assert found["SNAP"]["case_number"] == "•••••5367"
    renewal = found["MEDICAID"]["renewal_due_on"]
    assert renewal is not None and found["MEDICAID"]["as_of"]
    assert statuses(body) == {
        "DHS": "fresh",
        "HFS": "fresh",
        "AGING": "not_linked",
        "DCEO": "not_linked",
        "DEC": "not_linked",
    }
    assert [a["kind"] for a in sandbox_client.get("/v1/me/actions", headers=maria.headers).get_json()["data"]] == [
        "document"
    ]


def test_james_snap_pending_with_an_interview_and_liheap_approved(sandbox_client, sandbox_url):
    james = sign_in(sandbox_client, sandbox_url, "james")
    body = read(sandbox_client, james)
    found = programs(body)
    assert found["SNAP"]["status"] == "pending"
    [interview] = found["SNAP"]["actions"]
    assert (interview["kind"], interview["state"], interview["title"]) == ("interview", "open", "Phone interview")
    assert interview["scheduled_at"].endswith("+00:00")
    assert found["LIHEAP"]["status"] == "approved" and found["LIHEAP"]["amount"]["cents"] == 45000
    assert statuses(body)["DHS"] == statuses(body)["DCEO"] == "fresh"


def test_ana_medicaid_and_community_care_active_a_denial_in_spanish(sandbox_client, sandbox_url):
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    body = read(sandbox_client, ana)
    found = programs(body)
    assert {code: b["status"] for code, b in found.items()} == {"MEDICAID": "active", "CCP": "active", "BAP": "denied"}
    assert body["meta"]["locale"] == "es"
    assert found["CCP"]["program"]["name"] == "Programa de Cuidado Comunitario"
    assert found["CCP"]["status_label"] == "Activo"
    assert found["BAP"]["status_label"] == "Denegado"
    assert statuses(body)["HFS"] == statuses(body)["AGING"] == "fresh"


def test_lee_without_verified_identity_is_told_why(sandbox_client, sandbox_url):
    lee = sign_in(sandbox_client, sandbox_url, "lee")
    body = read(sandbox_client, lee)
    assert body["data"] == [] and body["meta"]["identity_verification_required"] is True


def test_sam_has_no_records_anywhere(sandbox_client, sandbox_url):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    body = read(sandbox_client, sam)
    assert body["data"] == [] and set(statuses(body).values()) == {"not_linked"}


def test_hfs_down_on_first_read_is_unavailable_then_recovers_in_the_background(
    sandbox_client, sandbox_url, sandbox_hub
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fault(sandbox_url, "HFS", "down")
    body = read(sandbox_client, maria)
    assert statuses(body)["HFS"] == "unavailable" and statuses(body)["DHS"] == "fresh"
    assert "MEDICAID" not in programs(body) and "SNAP" in programs(body)
    fault(sandbox_url, "HFS", "ok")
    sandbox_hub.runner.run_pending()  # the refresh the read queued
    body = read(sandbox_client, maria)
    assert statuses(body)["HFS"] == "fresh" and "MEDICAID" in programs(body)


@pytest.mark.timing
def test_hfs_down_later_serves_the_last_good_copy_skips_at_once_and_recovers(sandbox_client, sandbox_url, sandbox_hub):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    good = read(sandbox_client, maria)
    hfs_as_of = {s["agency"]: s["as_of"] for s in good["meta"]["sources"]}["HFS"]
    fault(sandbox_url, "HFS", "down")
    for _ in range(sandbox_hub.settings.breaker_fail_max):
        body = read(sandbox_client, maria, "?refresh=true")
        assert statuses(body)["HFS"] == "stale" and statuses(body)["DHS"] == "fresh"
        assert {s["agency"]: s["as_of"] for s in body["meta"]["sources"]}["HFS"] == hfs_as_of
        assert programs(body)["MEDICAID"]["status"] == "active"
    breaker = sandbox_hub.platform.guards["HFS"]
    assert breaker.current_state == "open"
    started = time.perf_counter()
    body = read(sandbox_client, maria, "?refresh=true")  # HFS is not even asked: its last good copy at once
    assert statuses(body)["HFS"] == "stale" and time.perf_counter() - started < 1.0
    sandbox_hub.runner.run_pending()  # the background refresh it queued meets the open breaker too
    with sandbox_hub.session() as session:  # the open breaker answered for HFS: no request was made
        kinds = set(session.scalars(select(BenefitSource.error_kind).where(BenefitSource.agency == "HFS")))
    assert kinds == {"circuit_open"}
    fault(sandbox_url, "HFS", "ok")
    time.sleep(sandbox_hub.settings.breaker_reset_seconds + 0.1)  # half-open: the next call is a trial
    body = read(sandbox_client, maria, "?refresh=true")
    assert statuses(body)["HFS"] == "fresh" and breaker.current_state == "closed"


@pytest.mark.timing
@pytest.mark.slow
def test_hfs_slow_answers_within_the_budget(sandbox_client, sandbox_url, sandbox_hub):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fault(sandbox_url, "HFS", "slow", latency_ms=4000)
    budget = sandbox_hub.settings.read_budget_seconds
    started = time.perf_counter()
    body = read(sandbox_client, maria)
    assert time.perf_counter() - started < budget + 1.5  # never the agency's 4 s
    assert statuses(body)["HFS"] in ("unavailable", "stale") and statuses(body)["DHS"] == "fresh"
    read(sandbox_client, maria)  # HFS not waited for again this soon (a background refresh is queued)
    started = time.perf_counter()
    body = read(sandbox_client, maria, "?refresh=true")
    assert time.perf_counter() - started < budget + 1.5  # never the agency's 4 s
    fault(sandbox_url, "HFS", "ok")


def test_a_malformed_feed_keeps_the_last_good_copy(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    read(sandbox_client, maria)
    fault(sandbox_url, "DHS", "malformed")
    body = read(sandbox_client, maria, "?refresh=true")
    assert statuses(body)["DHS"] == "stale"
    assert programs(body)["SNAP"]["status"] == "active"


def test_refresh_must_be_a_boolean(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get("/v1/me/benefits?refresh=maybe", headers=maria.headers), 422, field="refresh")


@pytest.mark.timing
@pytest.mark.parametrize("unit", [1, 1_000, 1_000_000])  # nginx seconds, Heroku milliseconds, microseconds
def test_the_budget_counts_from_when_the_load_balancer_received_the_request(
    sandbox_client, sandbox_url, sandbox_hub, unit
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fault(sandbox_url, "HFS", "slow", latency_ms=4000)
    budget = sandbox_hub.settings.read_budget_seconds
    queued_since = f"t={(time.time() - budget - 0.5) * unit:.0f}"  # it waited longer than the budget already
    try:
        started = time.perf_counter()
        response = sandbox_client.get("/v1/me/benefits", headers={**maria.headers, "X-Request-Start": queued_since})
        elapsed = time.perf_counter() - started
    finally:
        fault(sandbox_url, "HFS", "ok")
    assert response.status_code == 200 and elapsed < budget / 2  # nothing left to wait with: stored copies now
    assert statuses(response.get_json())["HFS"] == "unavailable"
    maria_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    assert ("benefits.refresh_source", {"resident_id": maria_id, "agency": "HFS"}) in sandbox_hub.runner.pending


@pytest.mark.timing  # a first read is waited for within the whole budget: a loaded machine can spend it
@pytest.mark.parametrize("value", ["t=abc", "t=nan", "t=inf", "in an hour", "t=1", "t=-5", ""])
def test_an_unusable_request_start_is_ignored(sandbox_client, sandbox_url, value):
    if value == "in an hour":
        value = f"t={time.time() + 3600:.3f}"
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = sandbox_client.get("/v1/me/benefits", headers={**maria.headers, "X-Request-Start": value})
    assert response.status_code == 200
    assert statuses(response.get_json())["DHS"] == "fresh"  # a first read: waited for within the whole budget


@pytest.mark.timing
def test_an_agency_known_slow_is_not_waited_for_until_a_quick_answer_clears_it(
    sandbox_client, sandbox_url, sandbox_hub
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    read(sandbox_client, maria)  # good copies of DHS and HFS
    budget = sandbox_hub.settings.read_budget_seconds
    fault(sandbox_url, "HFS", "slow", latency_ms=4000)
    try:
        assert statuses(read(sandbox_client, maria, "?refresh=true"))["HFS"] == "stale"  # waited, timed out
        started = time.perf_counter()
        body = read(sandbox_client, maria, "?refresh=true")
        assert time.perf_counter() - started < budget / 2  # known slow: the last good copy at once
        assert statuses(body)["HFS"] == "stale" and statuses(body)["DHS"] == "fresh"
        assert programs(body)["MEDICAID"]["status"] == "active"
        queued = [kwargs["agency"] for name, kwargs in sandbox_hub.runner.pending if name == "benefits.refresh_source"]
        assert "HFS" in queued  # refreshed in the background instead
    finally:
        fault(sandbox_url, "HFS", "ok")
    sandbox_hub.runner.run_pending()  # the background refresh gets a quick answer: no longer slow
    body = read(sandbox_client, maria, "?refresh=true")
    assert statuses(body)["HFS"] == "fresh"
