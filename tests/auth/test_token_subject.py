"""A hub access token speaks for the principal of its session only: its ``sub`` must be that principal.

The tokens below are signed with the hub's own key (what a leaked key or a signing bug would produce), so
everything but ``sub`` checks out; the hub must still refuse them.
"""

from __future__ import annotations

from tests.factories import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, mint_token, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem


def _token(hub, *, subject: str, kind: str, session_id: str, client_id: str, roles=()) -> dict[str, str]:
    token = mint_token(
        hub, kind=kind, subject=subject, session_id=session_id, client_id=client_id, roles=roles, ttl_seconds=300
    )
    return {"Authorization": f"Bearer {token}"}


def _me(client, signed) -> str:
    return client.get("/v1/me", headers=signed.headers).get_json()["id"]


def test_a_token_naming_another_resident_in_sub_is_refused(sandbox_client, sandbox_url, sandbox_hub):
    maria, james = sign_in(sandbox_client, sandbox_url, "maria"), sign_in(sandbox_client, sandbox_url, "james")
    maria_id, james_id = _me(sandbox_client, maria), _me(sandbox_client, james)
    own = _token(sandbox_hub, subject=maria_id, kind="resident", session_id=maria.session_id, client_id="sandbox-app")
    assert sandbox_client.get("/v1/me", headers=own).get_json()["id"] == maria_id  # the forge is otherwise sound
    crossed = _token(
        sandbox_hub, subject=james_id, kind="resident", session_id=maria.session_id, client_id="sandbox-app"
    )
    for path in ("/v1/me", "/v1/me/benefits", "/v1/me/access-log"):
        body = assert_problem(sandbox_client.get(path, headers=crossed), 401)
        assert "does not belong to its session" in body["detail"]


def test_a_staff_token_naming_another_subject_is_refused(sandbox_client, sandbox_url, sandbox_hub):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    forged = _token(
        sandbox_hub,
        subject="someone-else",
        kind="staff",
        session_id=sophie.session_id,
        client_id="support-console",
        roles=("support",),
    )
    assert_problem(sandbox_client.get("/v1/admin/audit-events", headers=forged), 401)
    assert sandbox_client.get("/v1/admin/audit-events", headers=sophie.headers).status_code == 200


def test_single_sign_on_refuses_a_token_whose_sub_is_not_its_session(sandbox_client, sandbox_url, sandbox_hub):
    maria, james = sign_in(sandbox_client, sandbox_url, "maria"), sign_in(sandbox_client, sandbox_url, "james")
    forged = _token(
        sandbox_hub,
        subject=_me(sandbox_client, james),
        kind="resident",
        session_id=maria.session_id,
        client_id="sandbox-app",
    )
    response = sandbox_client.post(
        "/v1/auth/token",
        json={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": forged["Authorization"].split()[1],
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "client_id": "sandbox-app",
        },
    )
    body = assert_problem(response, 400)
    assert body["error"] == "invalid_grant"
