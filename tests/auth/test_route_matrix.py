"""Sign-out's matrix cells no other test here covered (staff sign out too; an identity provider's token ends
nothing), through HTTP with real sign-ins at the sandbox identity providers. The rest of the auth routes' matrix
is in this folder; tests/test_route_auth_rules.py fails if any route has no auth rule.
"""

from __future__ import annotations

from services.models.identity import HubSession
from tests.factories import id_token_for, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

# -- POST /v1/auth/logout ----------------------------------------------------------------------------------------


def test_staff_sign_out_too_and_their_token_then_stops_working(sandbox_client, sandbox_url, db_session):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert sandbox_client.get("/v1/admin/audit-events", headers=sophie.headers).status_code == 200
    assert sandbox_client.post("/v1/auth/logout", headers=sophie.headers).status_code == 204
    assert_problem(sandbox_client.get("/v1/admin/audit-events", headers=sophie.headers), 401)
    assert db_session.get(HubSession, sophie.session_id).revoked_at is not None


def test_logout_refuses_an_identity_provider_token_and_ends_nothing(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    id_token = id_token_for(sandbox_url, "maria")
    response = sandbox_client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {id_token}"})
    assert_problem(response, 401)
    assert sandbox_client.get("/v1/me", headers=maria.headers).status_code == 200
