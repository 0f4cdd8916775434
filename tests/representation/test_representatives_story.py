"""Ana names rosa her representative for HFS; rosa accepts; both see it; the platform records it; either side ends
it. Through HTTP, with real sign-ins at the sandbox and the sandbox platform recording and ending designations."""

from __future__ import annotations

import httpx

from services.models.representation import RepresentativeDesignation, RepresentativeInvitation
from services.representation import codes
from tests.factories import sign_in

PLATFORM = {"Authorization": "Bearer sandbox-platform-key"}
ANA_HFS = "hfs-300400602"


def _platform_designations(sandbox_url: str, agency: str, record_id: str) -> list[dict]:
    answer = httpx.get(f"{sandbox_url}/platform/representatives/{agency}/{record_id}", headers=PLATFORM)
    return answer.json()["designations"]


def invite(client, person, agencies=("HFS",), **extra):
    response = client.post(
        "/v1/me/representatives/invitations", json={"agencies": list(agencies), **extra}, headers=person.headers
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_ana_invites_rosa_for_hfs_rosa_accepts_both_see_it_and_ana_ends_it(sandbox_client, sandbox_url, sandbox_hub):
    ana, rosa = sign_in(sandbox_client, sandbox_url, "ana"), sign_in(sandbox_client, sandbox_url, "rosa")

    invitation = invite(sandbox_client, ana, expires_in_days=3)
    assert invitation["agencies"] == ["HFS"]
    assert codes.normalised(invitation["code"]) is not None and len(invitation["code"]) == 19
    with sandbox_hub.session() as session:
        stored = session.get(RepresentativeInvitation, invitation["id"])
        assert stored.code_hash == codes.code_hash(codes.normalised(invitation["code"]))
        assert invitation["code"] not in repr(stored.__dict__)  # only the hash is kept

    typed = invitation["code"].lower().replace("-", " ")  # read over the phone: case and spacing do not matter
    accepted = sandbox_client.post("/v1/me/represented", json={"code": typed}, headers=rosa.headers)
    assert accepted.status_code == 201, accepted.get_json()
    designation = accepted.get_json()
    assert designation["person"] == {"first_name": "Ana"}
    assert (designation["origin"], designation["active"]) == ("invitation", True)
    assert [(a["agency"], a["status"]) for a in designation["agencies"]] == [("HFS", "recorded")]
    recorded = _platform_designations(sandbox_url, "HFS", ANA_HFS)
    assert [(d["hub_designation_id"], d["status"], d["representative"]["given_name"]) for d in recorded] == [
        (designation["id"], "active", "Rosa")
    ]

    again = sandbox_client.post("/v1/me/represented", json={"code": invitation["code"]}, headers=rosa.headers)
    assert (again.status_code, again.get_json()["id"]) == (200, designation["id"])  # a retry is harmless

    mine = sandbox_client.get("/v1/me/representatives", headers=ana.headers).get_json()["data"]
    assert [(d["id"], d["representative"], d["active"]) for d in mine] == [
        (designation["id"], {"first_name": "Rosa"}, True)
    ]
    theirs = sandbox_client.get("/v1/me/represented", headers=rosa.headers).get_json()["data"]
    assert [d["id"] for d in theirs if d["origin"] == "invitation"] == [designation["id"]]

    ended = sandbox_client.delete(f"/v1/me/representatives/{designation['id']}", headers=ana.headers)
    assert ended.status_code == 204
    assert [d["status"] for d in _platform_designations(sandbox_url, "HFS", ANA_HFS)] == ["ended"]
    after = sandbox_client.get("/v1/me/represented", headers=rosa.headers).get_json()["data"]
    shown = next(d for d in after if d["id"] == designation["id"])
    assert (shown["active"], shown["ended_by"], shown["agencies"][0]["status"]) == (False, "resident", "ended")
    assert sandbox_client.delete(f"/v1/me/representatives/{designation['id']}", headers=ana.headers).status_code == 204


def test_rosa_steps_down(sandbox_client, sandbox_url, sandbox_hub):
    ana, rosa = sign_in(sandbox_client, sandbox_url, "ana"), sign_in(sandbox_client, sandbox_url, "rosa")
    code = invite(sandbox_client, ana, agencies=["HFS", "AGING"])["code"]
    designation = sandbox_client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers).get_json()
    assert [a["agency"] for a in designation["agencies"]] == ["HFS", "AGING"]

    assert sandbox_client.delete(f"/v1/me/represented/{designation['id']}", headers=rosa.headers).status_code == 204

    with sandbox_hub.session() as session:
        row = session.get(RepresentativeDesignation, designation["id"])
        assert row.ended_by == "representative"
        assert all(part.platform_ended_at is not None for part in row.agencies)  # each agency was told
    shown = sandbox_client.get("/v1/me/representatives", headers=ana.headers).get_json()["data"]
    assert [(d["id"], d["active"], d["ended_by"]) for d in shown if d["origin"] == "invitation"] == [
        (designation["id"], False, "representative")
    ]
