"""``flask apps add|list|suspend|resume`` through Flask's CLI runner, against the real database and sign-in: a
suspended app's sessions stop at once and it signs nobody in; every change is in the audit chain."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from services.audit import verify_chain
from services.models.app_clients import AppClient
from services.models.audit import AuditEvent
from services.models.identity import HubSession
from services.models.notifications import Device
from tests.factories import exchange, id_token_for, sign_in

DEVICE = {"platform": "android", "push_token": "maria-phone-apps-test-0001", "app_id": "sandbox-app", "locale": "en"}


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def audit_events(hub) -> list[AuditEvent]:
    with hub.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_add_registers_a_resident_app_that_can_sign_in_and_is_audited(sandbox_app, sandbox_client, sandbox_url):
    result = run(
        sandbox_app, "apps", "add", "state-benefits-ios", "--name", "State Benefits (iOS)", "--kind", "resident"
    )
    assert result.exit_code == 0, result.output
    assert "registered resident app state-benefits-ios" in result.output
    token = exchange(sandbox_client, id_token_for(sandbox_url, "maria", "state-benefits-ios"), "state-benefits-ios")
    assert token.status_code == 200, token.get_json()
    listed = run(sandbox_app, "apps", "list", "--json")
    rows = {row["client_id"]: row for row in map(json.loads, listed.output.splitlines())}
    assert rows["state-benefits-ios"] | {"created_at": None} == {
        "client_id": "state-benefits-ios",
        "name": "State Benefits (iOS)",
        "kind": "resident",
        "state": "active",
        "live_sessions": 1,
        "created_at": None,
    }


def test_every_app_change_is_in_the_audit_chain(sandbox_app, sandbox_hub):
    assert (
        run(
            sandbox_app, "apps", "add", "helpdesk", "--name", "Help desk", "--kind", "staff", "--reason", "T-1"
        ).exit_code
        == 0
    )
    assert run(sandbox_app, "apps", "suspend", "helpdesk", "--reason", "contract ended").exit_code == 0
    assert run(sandbox_app, "apps", "resume", "helpdesk", "--reason", "renewed").exit_code == 0
    events = audit_events(sandbox_hub)
    assert [(e.action, e.route, e.reason, e.actor_kind, e.actor_role) for e in events] == [
        ("app.add", "flask apps add helpdesk", "T-1", "system", "operator"),
        ("app.suspend", "flask apps suspend helpdesk", "contract ended", "system", "operator"),
        ("app.resume", "flask apps resume helpdesk", "renewed", "system", "operator"),
    ]
    assert all(e.actor_id == "flask-cli" and e.actor_name and e.outcome == "allowed" for e in events)
    with sandbox_hub.session() as session:
        assert verify_chain(session).ok
    assert "audit chain ok: 3 events verified" in run(sandbox_app, "audit", "verify").output


def test_refused_additions_change_nothing(sandbox_app, sandbox_hub):
    with sandbox_hub.session() as session:
        before = session.scalar(select(func.count()).select_from(AppClient))
    duplicate = run(sandbox_app, "apps", "add", "sandbox-app", "--name", "Again", "--kind", "resident")
    assert duplicate.exit_code == 1 and "sandbox-app is already registered (resident, active)" in duplicate.output
    bad_id = run(sandbox_app, "apps", "add", "Bad Id!", "--name", "x", "--kind", "resident")
    assert bad_id.exit_code == 1 and "client id 'Bad Id!'" in bad_id.output
    partner = run(sandbox_app, "apps", "add", "agency-x", "--name", "x", "--kind", "partner")
    assert partner.exit_code == 2 and "--kind" in partner.output
    no_name = run(sandbox_app, "apps", "add", "nameless", "--name", " ", "--kind", "staff")
    assert no_name.exit_code == 1 and "needs a name" in no_name.output
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).select_from(AppClient)) == before
    assert audit_events(sandbox_hub) == []


def test_suspend_revokes_sessions_stops_pushes_and_refuses_sign_in_until_resumed(
    sandbox_app, sandbox_client, sandbox_url, sandbox_hub
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.post("/v1/me/devices", json=DEVICE, headers=maria.headers).status_code == 201
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 200

    refused = run(sandbox_app, "apps", "suspend", "sandbox-app")
    assert refused.exit_code == 2 and "--reason" in refused.output  # a reason is required
    result = run(sandbox_app, "apps", "suspend", "sandbox-app", "--reason", "lost its signing certificate")
    assert result.exit_code == 0, result.output
    assert "suspended sandbox-app: 1 live sessions revoked" in result.output

    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 401
    again = exchange(sandbox_client, id_token_for(sandbox_url, "maria"))
    assert again.status_code == 401 and again.get_json()["error"] == "invalid_client"
    with sandbox_hub.session() as session:
        hub_session = session.get(HubSession, maria.session_id)
        assert hub_session.revoked_reason == "app_suspended"
        assert session.scalars(select(Device.active).where(Device.session_id == maria.session_id)).all() == [False]
    assert "already suspended" in run(sandbox_app, "apps", "suspend", "sandbox-app", "--reason", "x").output
    listed = [line.split() for line in run(sandbox_app, "apps", "list").output.splitlines()]
    assert ["sandbox-app", "resident", "suspended", "0", "Sandbox", "resident", "app"] in listed

    assert run(sandbox_app, "apps", "resume", "sandbox-app", "--reason", "certificate replaced").exit_code == 0
    assert exchange(sandbox_client, id_token_for(sandbox_url, "maria")).status_code == 200
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 401  # the lost session stays ended


def test_suspending_or_resuming_an_unknown_app_says_so(sandbox_app):
    for verb in ("suspend", "resume"):
        result = run(sandbox_app, "apps", verb, "nobody", "--reason", "x")
        assert result.exit_code == 1 and "no app 'nobody' is registered" in result.output
    assert "is not suspended" in run(sandbox_app, "apps", "resume", "sandbox-app", "--reason", "x").output
