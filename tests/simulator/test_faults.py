"""Fault injection per agency: the hub's resilience is tested against these."""

from __future__ import annotations

import json
import time
from xml.etree import ElementTree as ET  # noqa: S405  (parses only the sandbox's own XML)

import pytest

from .conftest import PLATFORM

FEEDS = {
    "DHS": "/platform/dhs/clients/IES100200301/cases",
    "HFS": "/platform/hfs/fhir/Coverage?beneficiary=Patient/hfs-300400501",
    "AGING": "/platform/aging/export?person_id=PER000000033",
    "DCEO": "/platform/dceo/applicants/EA100200403",
    "DEC": "/platform/dec/cases?person_id=PER000000044",
}


def fault(client, **body):
    response = client.post("/platform/sim/faults", json=body)
    assert response.status_code == 200, response.json
    return response.json["faults"]


@pytest.mark.parametrize("agency", sorted(FEEDS))
def test_down_answers_503_at_once_and_only_for_that_agency(client, agency):
    fault(client, agency=agency, mode="down")
    started = time.monotonic()
    assert client.get(FEEDS[agency], headers=PLATFORM).status_code == 503
    assert time.monotonic() - started < 0.5
    assert client.get(f"/platform/{agency.lower()}/changes", headers=PLATFORM).status_code == 503
    others = [a for a in FEEDS if a != agency]
    assert all(client.get(FEEDS[a], headers=PLATFORM).status_code == 200 for a in others)
    fault(client, agency=agency, mode="ok")
    assert client.get(FEEDS[agency], headers=PLATFORM).status_code == 200


def test_slow_sleeps_then_answers(client):
    fault(client, agency="HFS", mode="slow", latency_ms=300)
    started = time.monotonic()
    response = client.get(FEEDS["HFS"], headers=PLATFORM)
    assert response.status_code == 200 and time.monotonic() - started >= 0.3
    assert response.json["resourceType"] == "Bundle"


def test_error_fails_with_the_given_probability(client):
    fault(client, agency="DHS", mode="error", error_rate=1.0)
    assert {client.get(FEEDS["DHS"], headers=PLATFORM).status_code for _ in range(5)} == {500}
    fault(client, agency="DHS", mode="error", error_rate=0.0)
    assert {client.get(FEEDS["DHS"], headers=PLATFORM).status_code for _ in range(5)} == {200}
    fault(client, agency="DHS", mode="error", error_rate=0.5)
    codes = [client.get(FEEDS["DHS"], headers=PLATFORM).status_code for _ in range(60)]
    assert 10 < codes.count(500) < 50 and set(codes) == {200, 500}


@pytest.mark.parametrize("agency", sorted(FEEDS))
def test_malformed_returns_a_broken_payload_of_that_feed(client, agency):
    fault(client, agency=agency, mode="malformed")
    response = client.get(FEEDS[agency], headers=PLATFORM)
    assert response.status_code == 200
    with pytest.raises((json.JSONDecodeError, ET.ParseError)):
        json.loads(response.data) if agency != "DEC" else ET.fromstring(response.data)  # noqa: S314


def test_faults_are_listed_in_state_validated_and_cleared_by_reset(client):
    assert fault(client, agency="aging", mode="slow", latency_ms=10) == {
        "AGING": {"mode": "slow", "latency_ms": 10, "error_rate": 1.0}
    }
    assert client.get("/platform/sim/state").json["faults"]["AGING"]["mode"] == "slow"
    assert client.post("/platform/sim/faults", json={"agency": "HFS", "mode": "melting"}).status_code == 422
    assert (
        client.post("/platform/sim/faults", json={"agency": "HFS", "mode": "slow", "latency_ms": -1}).status_code == 422
    )
    assert client.post("/platform/sim/reset").json["faults"] == {}
