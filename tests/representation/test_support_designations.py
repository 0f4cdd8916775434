"""Support sees a resident's designations both ways and ends one with a reason, audited; the agency is told;
refusals change nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.models.audit import AuditEvent
from services.models.representation import RepresentativeDesignation
from tests.factories import REASON, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem
from tests.representation.test_representatives_story import invite

PLATFORM = {"Authorization": "Bearer sandbox-platform-key"}


def _ana_and_rosa(client, sandbox_url):
    ana, rosa = sign_in(client, sandbox_url, "ana"), sign_in(client, sandbox_url, "rosa")
    code = invite(client, ana)["code"]
    designation = client.post("/v1/me/represented", json={"code": code}, headers=rosa.headers).get_json()
    ids = {p: client.get("/v1/me", headers=s.headers).get_json()["id"] for p, s in (("ana", ana), ("rosa", rosa))}
    return ana, rosa, designation, ids


def test_sophie_sees_both_directions_and_ends_one_with_a_reason(sandbox_client, sandbox_url, sandbox_hub):
    ana, rosa, designation, ids = _ana_and_rosa(sandbox_client, sandbox_url)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")

    for resident in ("ana", "rosa"):
        listed = sandbox_client.get(
            f"/v1/admin/residents/{ids[resident]}/designations", headers=sophie.admin_headers()
        ).get_json()["data"]
        assert [(d["id"], d["person"], d["representative"]["first_name"]) for d in listed] == [
            (designation["id"], {"id": ids["ana"], "first_name": "Ana"}, "Rosa")
        ]

    reason = "Ana called: her daughter no longer helps with her Medicaid"
    path = f"/v1/admin/residents/{ids['ana']}/designations/{designation['id']}/end"
    ended = sandbox_client.post(path, headers=sophie.admin_headers(reason))
    assert ended.status_code == 200, ended.get_json()
    assert (ended.get_json()["ended_by"], ended.get_json()["end_reason"], ended.get_json()["active"]) == (
        "support",
        reason,
        False,
    )
    platform = httpx.get(f"{sandbox_url}/platform/representatives/HFS/hfs-300400602", headers=PLATFORM).json()
    assert [(d["status"], d["ended_by"]) for d in platform["designations"]] == [("ended", "support")]
    seen_by_rosa = sandbox_client.get("/v1/me/represented", headers=rosa.headers).get_json()["data"][0]
    assert seen_by_rosa["ended_by"] == "support" and "end_reason" not in seen_by_rosa

    with sandbox_hub.session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "designation.end")).all()
    assert [e.resident_id for e in events] == [ids["ana"]]
    assert {(e.outcome, e.reason) for e in events} == {("allowed", reason)}
    assert all(f"designation:{designation['id']}" in e.fields for e in events)


def test_refusals_change_nothing(sandbox_client, sandbox_url, sandbox_hub):
    ana, rosa, designation, ids = _ana_and_rosa(sandbox_client, sandbox_url)
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    maria_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    end = f"/v1/admin/residents/{ids['ana']}/designations/{designation['id']}/end"

    assert_problem(sandbox_client.post(end, headers=sophie.admin_headers(None)), 400)  # no reason
    assert_problem(
        sandbox_client.post(
            f"/v1/admin/residents/{maria_id}/designations/{designation['id']}/end", headers=sophie.admin_headers()
        ),
        404,
    )
    assert_problem(
        sandbox_client.get(f"/v1/admin/residents/{'0' * 32}/designations", headers=sophie.admin_headers()), 404
    )
    for token in (None, ana.admin_headers()):
        assert_problem(sandbox_client.post(end, headers=token or {"X-Access-Reason": REASON}), 401)
        assert_problem(sandbox_client.get(f"/v1/admin/residents/{ids['ana']}/designations", headers=token or {}), 401)
    with sandbox_hub.session() as session:
        assert session.get(RepresentativeDesignation, designation["id"]).ended_at is None
