"""``POST /v1/auth/token`` with ``grant_type=client_credentials``: RFC 7523 assertions in, partner tokens out; every
refusal an OAuth error inside a problem document, audited, and no token issued."""

from __future__ import annotations

import time

import jwt
import pytest
from sqlalchemy import select

from services.models.audit import AuditEvent
from tests.factories import sign_in, sign_in_staff
from tests.partner.factories import (
    TOKEN_URL,
    PartnerKey,
    register_app,
    sandbox_assertion,
    token_for,
    token_request,
)
from tests.problem_assertions import assert_problem


def denied_token_events(hub) -> list[AuditEvent]:
    with hub.session() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == "partner.token", AuditEvent.outcome == "denied")
            )
        )


def test_the_sandbox_assertion_gets_a_short_lived_scoped_partner_token(partner_client, partner_hub, sandbox_url):
    response = token_request(partner_client, sandbox_assertion(sandbox_url), scope="notifications:read")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["scope"] == "notifications:read"
    assert 0 < body["expires_in"] <= 300 and "refresh_token" not in body
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["kind"] == "partner" and claims["sub"] == claims["aud"] == "sandbox-partner-dhs"
    assert claims["exp"] - claims["iat"] <= 300
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("alg", ["ES256", "RS256"])
def test_inline_keys_of_either_algorithm_and_json_bodies_work(partner_client, partner_hub, alg):
    client_id, key, _ = register_app(partner_hub, key=PartnerKey.new(alg))
    response = partner_client.post(
        "/v1/auth/token",
        json={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": key.assertion(client_id),
            "client_id": client_id,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["scope"] == "notifications:send notifications:read events:write"


def _hs256(client_id: str) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN_URL, "exp": now + 60, "jti": "x1"}
    return jwt.encode(claims, "a-shared-secret-of-enough-length-32b", algorithm="HS256")


BAD_ASSERTIONS = {
    "malformed": lambda cid, key: "not-a-jwt",
    "expired": lambda cid, key: key.assertion(cid, exp=int(time.time()) - 120),
    "too long-lived": lambda cid, key: key.assertion(cid, lifetime=3600),
    "wrong audience": lambda cid, key: key.assertion(cid, audience="https://elsewhere.example/token"),
    "iss is not sub": lambda cid, key: key.assertion(cid, sub="someone-else"),
    "no jti": lambda cid, key: key.assertion(cid, jti=None),
    "key not in the JWKS": lambda cid, key: PartnerKey.new().assertion(cid),
    "HS256": lambda cid, key: _hs256(cid),
    "unknown app": lambda cid, key: key.assertion("dhs-nobody-000000"),
}


@pytest.mark.parametrize("case", sorted(BAD_ASSERTIONS))
def test_a_bad_assertion_is_invalid_client_audited_and_issues_nothing(partner_client, partner_hub, case):
    client_id, key, _ = register_app(partner_hub)
    response = token_request(partner_client, BAD_ASSERTIONS[case](client_id, key))
    body = assert_problem(response, 401)
    assert body["error"] == "invalid_client" and "access_token" not in body
    assert 'error="invalid_client"' in response.headers["WWW-Authenticate"]
    assert len(denied_token_events(partner_hub)) == 1


def test_an_assertion_works_once(partner_client, partner_hub):
    client_id, key, _ = register_app(partner_hub)
    assertion = key.assertion(client_id)
    assert token_request(partner_client, assertion).status_code == 200
    body = assert_problem(token_request(partner_client, assertion), 401)
    assert body["error"] == "invalid_client" and "jti" in body["detail"]
    assert len(denied_token_events(partner_hub)) == 1


def test_a_suspended_app_gets_no_token(partner_client, partner_hub):
    from services.partner.apps import set_suspended

    client_id, key, _ = register_app(partner_hub)
    with partner_hub.session() as session:
        set_suspended(session, client_id, True)
        session.commit()
    body = assert_problem(token_request(partner_client, key.assertion(client_id)), 401)
    assert body["error"] == "invalid_client" and "suspended" in body["detail"]


def test_a_scope_not_granted_is_invalid_scope(partner_client, partner_hub):
    client_id, key, _ = register_app(partner_hub, scopes=("notifications:read",))
    body = assert_problem(token_request(partner_client, key.assertion(client_id), scope="notifications:send"), 400)
    assert body["error"] == "invalid_scope"
    assert len(denied_token_events(partner_hub)) == 1


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"client_assertion_type": "urn:example:other"}, "invalid_client"),
        ({"client_id": "another-app"}, "invalid_client"),
    ],
)
def test_assertion_type_and_client_id_must_agree(partner_client, partner_hub, extra, error):
    client_id, key, _ = register_app(partner_hub)
    response = token_request(partner_client, key.assertion(client_id), **extra)
    assert response.get_json()["error"] == error and response.status_code in (400, 401)


def test_a_missing_assertion_is_invalid_request_naming_it(partner_client):
    body = assert_problem(token_request(partner_client, None), 400, field="client_assertion")
    assert body["error"] == "invalid_request"


def test_an_unknown_grant_is_unsupported_grant_type(partner_client):
    body = assert_problem(partner_client.post("/v1/auth/token", data={"grant_type": "password"}), 400)
    assert body["error"] == "unsupported_grant_type"


def test_partner_tokens_never_reach_resident_or_admin_routes_nor_the_reverse(partner_client, partner_hub, sandbox_url):
    client_id, key, _ = register_app(partner_hub)
    partner = token_for(partner_client, client_id, key)
    for path in ("/v1/me", "/v1/me/notifications", "/v1/admin/audit-events", "/v1/admin/partner-apps"):
        assert_problem(partner_client.get(path, headers=partner), 401)
    maria = sign_in(partner_client, sandbox_url, "maria")
    ada = sign_in_staff(partner_client, sandbox_url, "ada")
    for who in (maria.headers, ada.headers, {}):
        assert_problem(partner_client.get("/v1/partner/notifications", headers=who), 401)
        assert_problem(partner_client.post("/v1/partner/notifications", json={}, headers=who), 401)
