"""A representative reads and acts on the person's benefits, actions, notices and paperwork only: there is no route
for the person's consents, devices, sessions or sign-in, and Rosa's token on Ana's ids gets nothing and changes
nothing."""

from __future__ import annotations

from sqlalchemy import select

from services.identity.sessions import open_session
from services.models.identity import Consent, HubSession, Resident
from tests.factories import create_device, create_notification
from tests.problem_assertions import assert_problem

ACTING_ROUTES = {
    ("GET", "benefits"),
    ("GET", "actions"),
    ("GET", "notifications"),
    ("POST", "actions/<action_id>/documents"),
    ("GET", "actions/<action_id>/slots"),
    ("PUT", "actions/<action_id>/appointment"),
    ("GET", "appointments/<appointment_id>.ics"),
}
PREFIX = "/v1/me/represented/<designation_id>/"


def test_every_route_acting_for_someone_is_one_of_the_listed_reads_and_acts(app):
    found = {
        (method, rule.rule.removeprefix(PREFIX))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert found == ACTING_ROUTES


def test_rosas_token_on_anas_account_gets_nothing_and_changes_nothing(client, hub, represented):
    with hub.session() as session:
        ana = session.get(Resident, represented.person.id)
        device = create_device(session, ana)
        message = create_notification(session, ana)
        message.agency = "HFS"
        other_session = open_session(session, kind="resident", client_id="sandbox-app", resident_id=ana.id)
        session.commit()
        ids = {"device": device.id, "message": message.id, "session": other_session.id}
    rosa = represented.representative.headers
    designation = represented.designation_id

    for method, path in [
        ("GET", f"/v1/me/represented/{designation}/consents"),
        ("PUT", f"/v1/me/represented/{designation}/consents/HFS"),
        ("GET", f"/v1/me/represented/{designation}/devices"),
        ("DELETE", f"/v1/me/represented/{designation}/devices/{ids['device']}"),
        ("GET", f"/v1/me/represented/{designation}/sessions"),
        ("DELETE", f"/v1/me/represented/{designation}/sessions/{ids['session']}"),
        ("POST", f"/v1/me/represented/{designation}/notifications/{ids['message']}/read"),
        ("GET", f"/v1/me/represented/{designation}/access-log"),
        ("GET", f"/v1/me/represented/{designation}/notification-preferences"),
        ("DELETE", f"/v1/me/devices/{ids['device']}"),
        ("DELETE", f"/v1/me/sessions/{ids['session']}"),
        ("DELETE", f"/v1/me/sessions/{represented.person.session_id}"),
        ("POST", f"/v1/me/notifications/{ids['message']}/read"),
    ]:
        response = client.open(path, method=method, json={"granted": False}, headers=rosa)
        assert response.status_code == 404, (method, path, response.status_code)
    assert client.put("/v1/me/consents/HFS", json={"granted": False}, headers=rosa).status_code == 200  # her own

    with hub.session() as session:
        assert session.scalars(select(Consent).where(Consent.resident_id == represented.person.id)).all() == []
        assert session.get(HubSession, ids["session"]).revoked_at is None
        assert session.get(HubSession, represented.person.session_id).revoked_at is None
    assert client.get("/v1/me/devices", headers=represented.person.headers).get_json()["data"]
    inbox = client.get("/v1/me/notifications", headers=represented.person.headers).get_json()["data"]
    assert [m["read_at"] for m in inbox] == [None]
    anas = client.get(represented.path("benefits"), headers=rosa).get_json()
    assert {b["agency"] for b in anas["data"]} == {"DHS", "HFS"}  # Rosa's own consent does not narrow Ana's


def test_a_missing_route_under_a_designation_is_a_problem_document(client, represented):
    assert_problem(client.get(represented.path("consents"), headers=represented.representative.headers), 404)
