"""Support sees a resident's uploads (metadata and receipts), never the file; a supervisor may open it only by
break-glass, with a reason, audited and flagged for review."""

from __future__ import annotations

from sqlalchemy import select

from services.models.audit import AuditEvent
from tests.factories import create_staff
from tests.problem_assertions import assert_problem

GLASS = {"X-Break-Glass": "true"}


def test_support_sees_metadata_and_receipts_not_the_content(client, hub, world):
    sophie = create_staff(hub, "support")
    response = client.get(f"/v1/admin/residents/{world.maria.id}/documents", headers=sophie.admin_headers())
    assert response.status_code == 200, response.get_data(as_text=True)
    [document] = response.get_json()["data"]
    assert document["id"] == world.document_id and document["receipt_number"].startswith("BH-TEST-")
    assert (document["filename"], document["status"], document["forward_attempts"]) == ("paystub.pdf", "submitted", 0)
    assert "pay stub" not in response.get_data(as_text=True) and "storage_key" not in document


def test_the_file_needs_break_glass_by_a_supervisor_and_is_flagged(client, hub, world, db_session):
    path = f"/v1/admin/residents/{world.maria.id}/documents/{world.document_id}/file"
    sophie, omar = create_staff(hub, "support"), create_staff(hub, "supervisor")
    assert_problem(client.get(path, headers=sophie.admin_headers()), 403)
    assert_problem(client.get(path, headers=sophie.admin_headers(**GLASS)), 403)
    body = assert_problem(client.get(path, headers=omar.admin_headers()), 403)
    assert "X-Break-Glass" in body["detail"]
    opened = client.get(path, headers=omar.admin_headers(**GLASS))
    assert opened.status_code == 200 and opened.data == b"%PDF-1.7 maria's pay stub"
    [allowed] = db_session.scalars(select(AuditEvent).where(AuditEvent.outcome == "allowed")).all()
    assert (allowed.action, allowed.break_glass, allowed.flagged_for_review) == ("resident.document.file", True, True)
    assert f"document:{world.document_id}" in allowed.fields
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert len(denied) == 3


def test_another_residents_document_is_a_404_and_unknown_resident_too(client, hub, world):
    omar = create_staff(hub, "supervisor")
    other = "0" * 32
    assert_problem(client.get(f"/v1/admin/residents/{other}/documents", headers=omar.admin_headers()), 404)
    path = f"/v1/admin/residents/{other}/documents/{world.document_id}/file"
    assert_problem(client.get(path, headers=omar.admin_headers(**GLASS)), 404)


def test_a_resident_token_is_401_on_the_admin_document_routes(client, world):
    for path in (
        f"/v1/admin/residents/{world.maria.id}/documents",
        f"/v1/admin/residents/{world.maria.id}/documents/{world.document_id}/file",
    ):
        assert_problem(client.get(path, headers={**world.maria.admin_headers(), **GLASS}), 401)
