"""Designations the agencies recorded themselves arrive from the platform (rosa for ana at AGING), and one an
agency ends on the platform ends at the hub too."""

from __future__ import annotations

import httpx

from services.benefits.sync import refresh_source_job
from services.representation.platform_sync import reconcile_job
from tests.factories import sign_in

PLATFORM = {"Authorization": "Bearer sandbox-platform-key"}
ANA_AGING = "AG100200604"


def _represented(client, rosa) -> list[dict]:
    return client.get("/v1/me/represented", headers=rosa.headers).get_json()["data"]


def test_rosas_aging_designation_arrives_when_she_signs_in_and_ends_when_aging_ends_it(
    sandbox_client, sandbox_url, sandbox_hub
):
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    rosa = sign_in(sandbox_client, sandbox_url, "rosa")
    assert _represented(sandbox_client, rosa) == []
    sandbox_hub.runner.run_pending()  # representation.discover, queued by rosa's verified sign-in

    [designation] = _represented(sandbox_client, rosa)
    assert (designation["origin"], designation["person"], designation["active"]) == (
        "agency",
        {"first_name": "Ana"},
        True,
    )
    assert [(a["agency"], a["status"]) for a in designation["agencies"]] == [("AGING", "recorded")]
    mine = sandbox_client.get("/v1/me/representatives", headers=ana.headers).get_json()["data"]
    assert [(d["id"], d["representative"]) for d in mine] == [(designation["id"], {"first_name": "Rosa"})]
    sandbox_hub.runner.run_pending()
    assert len(_represented(sandbox_client, rosa)) == 1  # taking it in again adds nothing

    platform = httpx.get(f"{sandbox_url}/platform/representatives/AGING/{ANA_AGING}", headers=PLATFORM).json()
    ended = httpx.post(
        f"{sandbox_url}/platform/sim/representatives/end",
        json={"designation_id": platform["designations"][0]["designation_id"]},
    )
    assert ended.status_code == 200
    reconcile_job(sandbox_hub)

    [after] = _represented(sandbox_client, rosa)
    assert (after["active"], after["ended_by"], after["agencies"][0]["ended_by"]) == (False, "agency", "agency")


def test_when_rosa_signed_in_first_anas_background_refresh_of_aging_brings_it(sandbox_client, sandbox_url, sandbox_hub):
    rosa = sign_in(sandbox_client, sandbox_url, "rosa")
    sandbox_hub.runner.run_pending()  # ana is not a hub resident yet: nothing to take in
    assert _represented(sandbox_client, rosa) == []
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    sandbox_hub.runner.pending.clear()
    ana_id = sandbox_client.get("/v1/me", headers=ana.headers).get_json()["id"]

    refresh_source_job(sandbox_hub, resident_id=ana_id, agency="AGING")

    assert [d["origin"] for d in _represented(sandbox_client, rosa)] == ["agency"]
