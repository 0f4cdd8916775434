"""Every admin read and write leaves one audit event saying who, which role, which resident, which route and
fields, why, the request id, when and the outcome; the chain still verifies afterwards."""

from __future__ import annotations

from sqlalchemy import select

from services.audit import verify_chain
from services.models.audit import AuditEvent
from tests.admin.conftest import MARIA_EMAIL, MARIA_PHONE
from tests.factories import REASON, create_staff
from tests.problem_assertions import assert_problem

EXPECTED_ACTIONS = {
    "admin-residents.lookup": "resident.lookup",
    "admin-residents.resident_detail": "resident.read",
    "admin-residents.resident_benefit_list": "resident.benefits.read",
    "admin-residents.resident_notifications": "resident.notifications.read",
    "admin-actions.resync": "resident.resync",
    "admin-actions.revoke_sessions": "sessions.revoke",
    "admin-actions.resend": "notification.resend",
    "admin-audit.audit_events": "audit.read",
    "admin-documents.resident_documents": "resident.documents.read",
    "admin-documents.resident_document_file": "resident.document.file",
    "admin-designations.resident_designations": "resident.designations.read",
    "admin-designations.end_designation": "designation.end",
    "admin-partner-apps.list_partner_apps": "partner_app.list",
    "admin-partner-apps.suspend": "partner_app.suspend",
    "admin-partner-apps.unsuspend": "partner_app.unsuspend",
    "admin-partner-apps.rekey": "partner_app.rekey",
    "admin-partner-apps.partner_app_notifications": "partner_app.notifications.read",
}
ABOUT_NO_RESIDENT = {"admin-audit.audit_events", *(e for e in EXPECTED_ACTIONS if e.startswith("admin-partner-apps"))}
NO_REASON = {"admin-audit.audit_events", *(e for e in ABOUT_NO_RESIDENT if "notifications" not in e)}
BREAK_GLASS_ONLY = {"admin-documents.resident_document_file": {"X-Break-Glass": "true"}}


def events(session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_every_read_and_write_is_audited_with_who_why_and_which_request(app, client, hub, world, db_session):
    ada = create_staff(hub, "admin")
    calls = world.paths(app)
    for number, (method, path, endpoint) in enumerate(calls):
        request_id = f"req-audit-{number:04d}"
        extra = BREAK_GLASS_ONLY.get(endpoint, {})
        response = client.open(
            path,
            method=method,
            headers=ada.admin_headers(**{"X-Request-ID": request_id, **extra}),
            json=world.body(endpoint),
        )
        assert response.status_code == 200, (path, response.get_data(as_text=True))
        (event,) = [e for e in events(db_session) if e.request_id == request_id]
        assert event.action == EXPECTED_ACTIONS[endpoint]
        assert (event.actor_kind, event.actor_id, event.actor_name, event.actor_role) == (
            "staff",
            ada.id,
            "Ada Okafor",
            "admin",
        )
        assert event.outcome == "allowed"
        assert event.route.startswith(method + " /v1/admin/")
        assert event.fields
        if endpoint in ABOUT_NO_RESIDENT:  # the audit log itself, app registrations, an app with no messages yet
            assert event.resident_id is None
            assert event.reason == (None if endpoint in NO_REASON else REASON)
        else:
            assert event.reason == REASON and event.resident_id == world.maria.id
    assert len(events(db_session)) == len(calls)
    assert verify_chain(db_session).ok


def test_lookup_is_exact_match_on_one_identifier(client, hub, world, db_session):
    sophie = create_staff(hub, "support")
    found = []
    for query in (f"email={MARIA_EMAIL.upper()}", "phone=312-555-0101", f"phone={MARIA_PHONE}"):
        response = client.get(f"/v1/admin/residents?{query}", headers=sophie.admin_headers())
        assert response.status_code == 200
        found.append([r["id"] for r in response.get_json()["data"]])
    assert found == [[world.maria.id]] * 3
    nobody = client.get("/v1/admin/residents?email=maria.lopez@example", headers=sophie.admin_headers())
    assert nobody.get_json()["data"] == []
    for query in ("", "?name=Maria", f"?email={MARIA_EMAIL}&phone={MARIA_PHONE}"):  # no search by name either
        body = assert_problem(client.get(f"/v1/admin/residents{query}", headers=sophie.admin_headers()), 422)
        assert set(body["errors"]) == {"email", "phone", "case_number"}
    lookups = [e for e in events(db_session) if e.action == "resident.lookup" and e.outcome == "allowed"]
    assert [e.resident_id for e in lookups] == [world.maria.id] * 3 + [None]
    assert lookups[0].fields == ["lookup:email", "name"]


def test_a_failed_call_is_audited_as_an_error(client, hub, world, db_session):
    sophie = create_staff(hub, "support")
    response = client.get("/v1/admin/residents/no-such-resident/benefits", headers=sophie.admin_headers())
    assert_problem(response, 404)
    (event,) = events(db_session)
    assert (event.outcome, event.resident_id, event.action) == ("error", "no-such-resident", "resident.benefits.read")


def test_resident_detail_shows_links_consents_devices_sessions_and_sync(client, hub, world):
    sophie = create_staff(hub, "support")
    body = client.get(f"/v1/admin/residents/{world.maria.id}", headers=sophie.admin_headers()).get_json()
    assert body["name"] == "Maria Lopez"
    assert [d["push_token"] for d in body["devices"]] == ["•••••e-0001"]
    assert len(body["sessions"]) == 1 and body["sessions"][0]["client_id"] == "sandbox-app"
    assert {c["agency"] for c in body["consents"]} >= {"DHS", "HFS"}
    assert body["links"] == [] and body["sync"] == []


def test_notifications_show_every_delivery_and_resend_adds_a_round(client, hub, world):
    sophie = create_staff(hub, "support")
    path = f"/v1/admin/residents/{world.maria.id}/notifications"
    (message,) = client.get(path, headers=sophie.admin_headers()).get_json()["data"]
    assert [(d["send_round"], d["kind"], d["state"]) for d in message["deliveries"]] == [(0, "initial", "queued")]

    resent = client.post(f"/v1/admin/notifications/{message['id']}/resend", headers=sophie.admin_headers())
    assert resent.status_code == 200 and resent.get_json()["send_round"] == 1

    (message,) = client.get(path, headers=sophie.admin_headers()).get_json()["data"]
    assert [(d["send_round"], d["kind"], d["requested_by"]) for d in message["deliveries"]] == [
        (0, "initial", None),
        (1, "resend", sophie.id),
    ]


def test_revoking_sessions_signs_the_resident_out_at_once(client, hub, world, db_session):
    omar = create_staff(hub, "supervisor")
    response = client.post(f"/v1/admin/residents/{world.maria.id}/sessions/revoke", headers=omar.admin_headers())
    assert response.get_json() == {"revoked": 1}
    assert_problem(client.get("/v1/me/access-log", headers=world.maria.admin_headers()), 401)
    (event,) = events(db_session)
    assert (event.action, event.outcome, event.actor_role) == ("sessions.revoke", "allowed", "supervisor")
