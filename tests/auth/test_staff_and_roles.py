"""Staff sign in at the workforce provider; staff and resident tokens are never interchangeable; roles decide."""

from __future__ import annotations

import jwt
import pytest

from api.auth import permissions
from api.auth.guards import staff_required
from api.auth.principal import current_principal
from api.auth_rules import rule_of
from tests.factories import exchange, refresh, sign_in, sign_in_staff, staff_id_token_for
from tests.problem_assertions import assert_problem


def _staff_probe(app, permission: str) -> str:
    """A throwaway staff route guarded by ``permission`` (the admin API's routes are built elsewhere)."""
    path = f"/test-only/{permission.replace(':', '-')}"

    def view():
        principal = current_principal()
        return {"staff": principal.staff_subject, "roles": list(principal.roles)}

    view.__name__ = f"probe_{permission.replace(':', '_')}"
    app.add_url_rule(path, view_func=staff_required(permission)(view))
    return path


def test_staff_sign_in_carries_roles(sandbox_client, sandbox_url):
    omar = sign_in_staff(sandbox_client, sandbox_url, "omar")
    claims = jwt.decode(omar.access_token, options={"verify_signature": False})
    assert claims["kind"] == "staff" and claims["roles"] == ["supervisor"] and claims["aud"] == "support-console"
    assert refresh(sandbox_client, omar.refresh_token, client_id="support-console").status_code == 200


@pytest.mark.parametrize(
    ("persona", "permission", "status"),
    [
        ("sophie", permissions.READ_RESIDENTS, 200),
        ("sophie", permissions.RESEND_NOTIFICATIONS, 200),
        ("sophie", permissions.REVOKE_SESSIONS, 403),
        ("omar", permissions.REVOKE_SESSIONS, 200),
        ("omar", permissions.BREAK_GLASS, 200),
        ("omar", permissions.MANAGE_APPS, 403),
        ("ada", permissions.MANAGE_APPS, 200),
        ("ada", permissions.READ_AUDIT_LOG, 200),
    ],
)
def test_roles_decide_what_staff_may_do(sandbox_app, sandbox_client, sandbox_url, persona, permission, status):
    path = _staff_probe(sandbox_app, permission)
    staff = sign_in_staff(sandbox_client, sandbox_url, persona)
    response = sandbox_client.get(path, headers=staff.headers)
    if status == 403:
        assert_problem(response, 403)
    else:
        assert response.status_code == 200 and response.get_json()["roles"] == [
            {"sophie": "support", "omar": "supervisor", "ada": "admin"}[persona]
        ]


def test_a_resident_token_is_refused_on_staff_routes(sandbox_app, sandbox_client, sandbox_url):
    path = _staff_probe(sandbox_app, permissions.READ_RESIDENTS)
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = sandbox_client.get(path, headers=maria.headers)
    body = assert_problem(response, 401)
    assert "support staff" in body["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_problem(sandbox_client.get(path), 401)


def test_a_staff_token_is_refused_on_resident_routes(sandbox_client, sandbox_url):
    ada = sign_in_staff(sandbox_client, sandbox_url, "ada")
    for method, path in (
        ("get", "/v1/me"),
        ("get", "/v1/me/sessions"),
        ("get", "/v1/me/consents"),
        ("put", "/v1/me/consents/DHS"),
        ("post", "/v1/me/links"),
    ):
        response = getattr(sandbox_client, method)(path, headers=ada.headers, json={"granted": False})
        assert_problem(response, 401)


def test_a_staff_id_token_is_refused_for_a_resident_app_and_the_other_way(sandbox_client, sandbox_url):
    assert exchange(sandbox_client, staff_id_token_for(sandbox_url, "ada"), "sandbox-app").status_code == 400
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert refresh(sandbox_client, maria.refresh_token, client_id="support-console").status_code == 400


def test_staff_required_rejects_unknown_permissions():
    with pytest.raises(ValueError):
        staff_required("residents:browse")


def test_higher_roles_include_lower_ones():
    support, supervisor, admin = (permissions.ROLE_PERMISSIONS[r] for r in ("support", "supervisor", "admin"))
    assert support < supervisor < admin
    assert permissions.permissions_for(["unknown-role"]) == frozenset()


def test_staff_routes_are_marked_for_the_route_walk():
    assert rule_of(staff_required(permissions.READ_RESIDENTS)(lambda: None)) == "staff"
