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
    sandbox_client, sandbox_url, sandbox_context
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fault(sandbox_url, "HFS", "down")
    body = read(sandbox_client, maria)
    assert statuses(body)["HFS"] == "unavailable" and statuses(body)["DHS"] == "fresh"
    assert "MEDICAID" not in programs(body) and "SNAP" in programs(body)
    fault(sandbox_url, "HFS", "ok")
    sandbox_context.runner.run_pending()  # the refresh the read queued
    body = read(sandbox_client, maria)
    assert statuses(body)["HFS"] == "fresh" and "MEDICAID" in programs(body)


def test_hfs_down_later_serves_the_last_good_copy_skips_at_once_and_recovers(
    sandbox_client, sandbox_url, sandbox_context
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    good = read(sandbox_client, maria)
    hfs_as_of = {s["agency"]: s["as_of"] for s in good["meta"]["sources"]}["HFS"]
    fault(sandbox_url, "HFS", "down")
    for _ in range(sandbox_context.settings.breaker_fail_max):
        body = read(sandbox_client, maria, "?refresh=true")
        assert statuses(body)["HFS"] == "stale" and statuses(body)["DHS"] == "fresh"
        assert {s["agency"]: s["as_of"] for s in body["meta"]["sources"]}["HFS"] == hfs_as_of
        assert programs(body)["MEDICAID"]["status"] == "active"
    breaker = sandbox_context.component("platform").breakers["HFS"]
    assert breaker.current_state == "open"
    read(sandbox_client, maria, "?refresh=true")
    with sandbox_context.session() as session:  # the open breaker answered for HFS: no request was made
        kinds = set(session.scalars(select(BenefitSource.error_kind).where(BenefitSource.agency == "HFS")))
    assert kinds == {"circuit_open"}
    fault(sandbox_url, "HFS", "ok")
    time.sleep(sandbox_context.settings.breaker_reset_seconds + 0.1)  # half-open: the next call is a trial
    body = read(sandbox_client, maria, "?refresh=true")
    assert statuses(body)["HFS"] == "fresh" and breaker.current_state == "closed"


@pytest.mark.slow
def test_hfs_slow_answers_within_the_budget(sandbox_client, sandbox_url, sandbox_context):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    fault(sandbox_url, "HFS", "slow", latency_ms=4000)
    budget = sandbox_context.settings.read_budget_seconds
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
