"""The hub as broker of the authorization-code + PKCE flow: the app sends the code, the hub redeems it."""

from __future__ import annotations

from tests.factories import REDIRECT_URI, Pkce, authorization_code
from tests.problem_assertions import assert_problem


def _redeem(client, code: str, pkce: Pkce, **extra):
    body = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": pkce.verifier,
        "redirect_uri": REDIRECT_URI,
        "client_id": "sandbox-app",
        **extra,
    }
    return client.post("/v1/auth/token", json=body)


def test_maria_signs_in_end_to_end_with_pkce(sandbox_client, sandbox_url):
    pkce = Pkce.new()
    code = authorization_code(sandbox_url, "maria", pkce, nonce="n-0S6_WzA2Mj")
    response = _redeem(sandbox_client, code, pkce, nonce="n-0S6_WzA2Mj")
    assert response.status_code == 200, response.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
    me = sandbox_client.get("/v1/me", headers=headers).get_json()
    assert me["identity_verified"] is True and {link["agency"] for link in me["links"]} == {"DHS", "HFS"}


def test_a_code_works_once(sandbox_client, sandbox_url):
    pkce = Pkce.new()
    code = authorization_code(sandbox_url, "james", pkce)
    assert _redeem(sandbox_client, code, pkce).status_code == 200
    body = assert_problem(_redeem(sandbox_client, code, pkce), 400)
    assert body["error"] == "invalid_grant" and "already used" in body["detail"]


def test_the_wrong_verifier_is_refused(sandbox_client, sandbox_url):
    code = authorization_code(sandbox_url, "james", Pkce.new())
    body = assert_problem(_redeem(sandbox_client, code, Pkce.new()), 400)
    assert body["error"] == "invalid_grant" and "code_verifier" in body["detail"]


def test_a_nonce_mismatch_is_refused(sandbox_client, sandbox_url):
    pkce = Pkce.new()
    code = authorization_code(sandbox_url, "maria", pkce, nonce="the-real-nonce")
    body = assert_problem(_redeem(sandbox_client, code, pkce, nonce="a-replayed-nonce"), 400)
    assert "nonce" in body["detail"]


def test_missing_fields_are_named(sandbox_client):
    response = sandbox_client.post(
        "/v1/auth/token", json={"grant_type": "authorization_code", "client_id": "sandbox-app"}
    )
    body = assert_problem(response, 400, field="code_verifier")
    assert {"code", "redirect_uri"} <= body["errors"].keys()


def test_the_support_console_cannot_use_the_resident_broker(sandbox_client, sandbox_url):
    pkce = Pkce.new()
    code = authorization_code(sandbox_url, "maria", pkce)
    body = assert_problem(_redeem(sandbox_client, code, pkce, client_id="support-console"), 401)
    assert body["error"] == "invalid_client"


def test_an_unreachable_provider_is_temporarily_unavailable(sandbox_client, sandbox_url, sandbox_hub):
    from services.identity.id_tokens import IdentityProvider

    sandbox_hub.resident_idp = IdentityProvider("http://127.0.0.1:9/idp")
    pkce = Pkce.new()
    body = assert_problem(_redeem(sandbox_client, "some-code", pkce), 503)
    assert body["error"] == "temporarily_unavailable"
