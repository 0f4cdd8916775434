"""Who may call what under /v1/admin (table-driven from the permission table), and the stated reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.auth.permissions import ROLE_PERMISSIONS
from services.models.audit import AuditEvent
from tests.factories import create_staff
from tests.problem_assertions import assert_problem

ROLES = tuple(ROLE_PERMISSIONS)
NO_REASON_NEEDED = {
    "admin-audit.audit_events",
    "admin-partner-apps.list_partner_apps",  # app registrations: no resident's data
    "admin-partner-apps.suspend",
    "admin-partner-apps.unsuspend",
    "admin-partner-apps.rekey",
}


BREAK_GLASS_ONLY = {"/file": {"X-Break-Glass": "true"}}  # opening a resident's file is always break-glass


def call(client, method: str, path: str, headers: dict, endpoint: str | None = None):
    from tests.admin.conftest import World

    for ending, extra in BREAK_GLASS_ONLY.items():
        headers = {**headers, **extra} if path.endswith(ending) else headers
    return client.open(path, method=method, headers=headers, json=World.body(endpoint) if endpoint else None)


def test_every_admin_route_needs_a_permission_from_the_table(app, world):
    for _method, _path, endpoint in world.paths(app):
        assert getattr(app.view_functions[endpoint], "required_permission", None), endpoint
    assert len(world.paths(app)) == 17


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_allowed_exactly_its_routes(app, client, hub, db_session, world, role):
    caller = create_staff(hub, role)
    wrong = []
    for method, path, endpoint in world.paths(app):
        allowed = app.view_functions[endpoint].required_permission in ROLE_PERMISSIONS[role]
        response = call(client, method, path, caller.admin_headers(), endpoint)
        if allowed and response.status_code != 200:
            wrong.append(f"{role} {method} {path}: {response.status_code} {response.get_data(as_text=True)[:200]}")
        if not allowed:
            body = assert_problem(response, 403)
            assert role in body["detail"]
    assert wrong == []
    denied = db_session.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    expected_denials = sum(
        app.view_functions[endpoint].required_permission not in ROLE_PERMISSIONS[role]
        for _method, _path, endpoint in world.paths(app)
    )
    assert len(denied) == expected_denials
    assert all(event.actor_id == caller.id and event.actor_role == role for event in denied)


def test_resident_tokens_and_no_token_are_refused_everywhere_under_admin(app, client, world, db_session):
    for method, path, _endpoint in world.paths(app):
        as_resident = call(client, method, path, world.maria.admin_headers())
        assert_problem(as_resident, 401)
        assert_problem(call(client, method, path, {"X-Access-Reason": "just looking around here"}), 401)
    assert db_session.scalars(select(AuditEvent)).all() == []  # nobody to name: no staff session behind it


@pytest.mark.parametrize("reason", [None, "", "   ", "because", "need to see"], ids=repr)
def test_a_missing_or_too_short_reason_is_refused_and_audited_as_denied(app, client, hub, world, db_session, reason):
    admin = create_staff(hub, "admin")
    routes = [route for route in world.paths(app) if route[2] not in NO_REASON_NEEDED]
    for method, path, endpoint in routes:
        headers = admin.admin_headers(reason=None)
        if reason is not None:
            headers["X-Access-Reason"] = reason
        assert_problem(call(client, method, path, headers, endpoint), 400, field="X-Access-Reason")
    events = db_session.scalars(select(AuditEvent)).all()
    assert len(events) == len(routes)
    assert {event.outcome for event in events} == {"denied"}


def test_a_refused_reason_changes_nothing(client, hub, world, db_session):
    supervisor = create_staff(hub, "supervisor")
    path = f"/v1/admin/residents/{world.maria.id}/sessions/revoke"
    assert_problem(client.post(path, headers=supervisor.admin_headers(reason="x")), 400, field="X-Access-Reason")
    assert client.get("/v1/me/access-log", headers=world.maria.admin_headers()).status_code == 200  # still signed in
