"""A resident who stopped sharing an agency: its data stays hidden from staff, unless a supervisor breaks glass
with a reason, which is flagged for review in the audit log (and told to the resident)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.models.audit import AuditEvent
from tests.factories import create_signed_in_resident, create_snapshot, create_staff
from tests.problem_assertions import assert_problem

BREAK_GLASS = {"X-Break-Glass": "true"}
GLASS_REASON = "Fraud unit needs the Medicaid case today"


@pytest.fixture
def maria_without_hfs(hub):
    """maria's DHS and HFS records are stored; she then stopped sharing HFS (Medicaid) with the app."""
    maria = create_signed_in_resident(hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"}, revoked=("HFS",))
    create_snapshot(hub, maria.id, "DHS", "dhs_maria_day0.json")
    create_snapshot(hub, maria.id, "HFS", "hfs_maria_day0.json")
    return maria


def agencies(body) -> set[str]:
    return {item["agency"] for item in body["data"]}


def test_without_break_glass_the_revoked_agency_stays_hidden_from_staff(client, hub, maria_without_hfs):
    omar = create_staff(hub, "supervisor")
    body = client.get(f"/v1/admin/residents/{maria_without_hfs.id}/benefits", headers=omar.admin_headers()).get_json()
    assert agencies(body) == {"DHS"}
    assert body["meta"]["withheld_agencies"] == ["HFS"]
    assert body["break_glass"] is None


def test_a_supervisor_breaking_glass_sees_it_and_the_read_is_flagged(client, hub, db_session, maria_without_hfs):
    omar = create_staff(hub, "supervisor")
    path = f"/v1/admin/residents/{maria_without_hfs.id}/benefits"
    body = client.get(path, headers=omar.admin_headers(reason=GLASS_REASON, **BREAK_GLASS)).get_json()

    assert agencies(body) == {"DHS"}
    assert body["break_glass"]["agencies"] == ["HFS"]
    assert {item["program"]["code"] for item in body["break_glass"]["data"]} == {"MEDICAID"}
    (event,) = db_session.scalars(select(AuditEvent)).all()
    assert (event.break_glass, event.flagged_for_review, event.reason) == (True, True, GLASS_REASON)
    assert "break_glass:HFS" in event.fields

    flagged = client.get("/v1/admin/audit-events?flagged_for_review=true", headers=omar.admin_headers()).get_json()
    assert [item["id"] for item in flagged["data"]] == [event.id]
    log = client.get("/v1/me/access-log", headers=maria_without_hfs.headers).get_json()["data"]
    assert log[0]["break_glass"] is True and "flagged for review" in log[0]["description"]


def test_support_cannot_break_glass_and_the_attempt_is_audited(client, hub, db_session, maria_without_hfs):
    sophie = create_staff(hub, "support")
    path = f"/v1/admin/residents/{maria_without_hfs.id}/benefits"
    assert_problem(client.get(path, headers=sophie.admin_headers(**BREAK_GLASS)), 403)
    (event,) = db_session.scalars(select(AuditEvent)).all()
    assert (event.outcome, event.actor_role, event.break_glass) == ("denied", "support", False)


def test_break_glass_still_needs_a_reason(client, hub, maria_without_hfs):
    omar = create_staff(hub, "supervisor")
    path = f"/v1/admin/residents/{maria_without_hfs.id}/benefits"
    assert_problem(
        client.get(path, headers=omar.admin_headers(reason=None, **BREAK_GLASS)), 400, field="X-Access-Reason"
    )
