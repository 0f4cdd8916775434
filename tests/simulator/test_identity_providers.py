"""Both sandbox identity providers, verified the way the hub verifies them: PyJWT against the served JWKS."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from simulator.app import create_app

from .conftest import make_settings, serving

IAL1 = "http://idmanagement.gov/ns/assurance/ial/1"
IAL2 = "http://idmanagement.gov/ns/assurance/ial/2"
VERIFIED_CLAIMS = {"given_name", "family_name", "birthdate", "ssn_last4", "phone_number"}
REDIRECT = "http://127.0.0.1:7777/callback"


@pytest.fixture(scope="module")
def live_idp():
    """A real sandbox on a free loopback port, so PyJWKClient fetches the JWKS over HTTP like the hub does."""
    holder = {}

    def app(environ, start_response):
        return holder["app"](environ, start_response)

    with serving(app) as url:
        holder["app"] = create_app(make_settings(residents=20, public_url=url))
        yield url, holder["app"]


def verify(token: str, base_url: str, audience: str, issuer_path: str = "/idp") -> dict:
    jwks = jwt.PyJWKClient(f"{base_url}{issuer_path}/jwks.json", cache_keys=False, cache_jwk_set=False)
    key = jwks.get_signing_key_from_jwt(token)
    return jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer=base_url + issuer_path,
        options={"require": ["exp", "iat", "nbf", "sub", "iss", "aud"]},
    )


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(client, challenge, persona="maria", client_id="sandbox-app", redirect_uri=REDIRECT, **extra):
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": persona,
        **extra,
    }
    return client.get("/idp/authorize", query_string={k: v for k, v in params.items() if v is not None})


def code_from(response) -> str:
    assert response.status_code == 302, response.data
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def redeem(client, code, verifier, client_id="sandbox-app", redirect_uri=REDIRECT):
    return client.post(
        "/idp/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )


def test_discovery_describes_a_login_gov_like_provider(live_idp):
    url, app = live_idp
    doc = app.test_client().get("/idp/.well-known/openid-configuration").json
    assert doc["issuer"] == f"{url}/idp"
    assert doc["authorization_endpoint"] == f"{url}/idp/authorize" and doc["token_endpoint"] == f"{url}/idp/token"
    assert doc["jwks_uri"] == f"{url}/idp/jwks.json"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"] and doc["code_challenge_methods_supported"] == [
        "S256"
    ]
    assert set(doc["acr_values_supported"]) == {IAL1, IAL2}


def test_jwks_publishes_two_rsa_keys_with_kids(live_idp):
    keys = live_idp[1].test_client().get("/idp/jwks.json").json["keys"]
    assert len(keys) >= 2 and len({k["kid"] for k in keys}) == len(keys)
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in keys)


def test_test_login_gives_a_verifiable_id_token_with_verified_claims_for_verified_personas(live_idp):
    url, app = live_idp
    token = app.test_client().post("/idp/test-login", json={"persona": "maria", "nonce": "abc"}).json["id_token"]
    assert jwt.get_unverified_header(token)["kid"]
    claims = verify(token, url, "sandbox-app")
    assert claims["acr"] == IAL2 and claims["nonce"] == "abc" and claims["exp"] - claims["iat"] == 600
    assert claims["given_name"] == "Maria" and claims["birthdate"] == "1988-04-12" and claims["ssn_last4"] == "4821"
    assert claims["email_verified"] is True and claims["locale"] == "en" and claims["auth_time"] == claims["iat"]
    assert claims["nbf"] <= claims["iat"]


def test_basic_personas_and_residents_get_exactly_what_their_assurance_allows(live_idp):
    url, app = live_idp
    client = app.test_client()
    lee = verify(client.post("/idp/test-login", json={"persona": "lee"}).json["id_token"], url, "sandbox-app")
    assert lee["acr"] == IAL1 and not VERIFIED_CLAIMS & lee.keys() and "nonce" not in lee
    for n in range(1, 21):
        claims = verify(
            client.post("/idp/test-login", json={"persona": f"resident-{n}"}).json["id_token"], url, "sandbox-app"
        )
        assert (claims["acr"] == IAL2) == VERIFIED_CLAIMS.issubset(claims.keys())
    assert client.post("/idp/test-login", json={"persona": "resident-21"}).status_code == 404
    unknown = client.post("/idp/test-login", json={"persona": "mallory"})
    assert unknown.status_code == 404 and unknown.json["error"] == "unknown_persona"


def test_sub_is_pairwise_stable_per_client_and_different_across_clients(live_idp):
    client = live_idp[1].test_client()

    def sub(persona, client_id):
        token = client.post("/idp/test-login", json={"persona": persona, "client_id": client_id}).json["id_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["aud"] == client_id
        return claims["sub"]

    assert sub("maria", "sandbox-app") == sub("maria", "sandbox-app")
    assert sub("maria", "sandbox-app") != sub("maria", "wic-app")
    assert sub("maria", "sandbox-app") != sub("james", "sandbox-app")
    assert len(sub("ana", "sandbox-app")) == 64 and int(sub("ana", "sandbox-app"), 16) >= 0
    assert client.post("/idp/test-login", json={"persona": "maria", "client_id": "Bad Client!"}).status_code == 400


def test_authorization_code_flow_with_pkce(live_idp):
    url, app = live_idp
    client = app.test_client()
    verifier, challenge = pkce_pair()
    code = code_from(authorize(client, challenge, persona="james"))
    response = redeem(client, code, verifier)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    body = response.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["access_token"]
    claims = verify(body["id_token"], url, "sandbox-app")
    assert claims["nonce"] == "n-1" and claims["given_name"] == "James"
    userinfo = client.get("/idp/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}).json
    assert userinfo["sub"] == claims["sub"] and userinfo["email"] == claims["email"]


def test_a_code_is_single_use(live_idp):
    client = live_idp[1].test_client()
    verifier, challenge = pkce_pair()
    code = code_from(authorize(client, challenge))
    assert redeem(client, code, verifier).status_code == 200
    reused = redeem(client, code, verifier)
    assert reused.status_code == 400 and reused.json["error"] == "invalid_grant"


def test_a_wrong_verifier_another_client_or_redirect_is_invalid_grant(live_idp):
    client = live_idp[1].test_client()
    verifier, challenge = pkce_pair()
    for attempt in (
        lambda code: redeem(client, code, pkce_pair()[0]),
        lambda code: redeem(client, code, verifier, client_id="other-app"),
        lambda code: redeem(client, code, verifier, redirect_uri="http://127.0.0.1:7777/elsewhere"),
        lambda code: redeem(client, code + "x", verifier),
    ):
        response = attempt(code_from(authorize(client, challenge)))
        assert response.status_code == 400 and response.json["error"] == "invalid_grant"
    missing = client.post("/idp/token", data={"grant_type": "authorization_code"})
    assert missing.json["error"] == "invalid_request"
    assert client.post("/idp/token", data={"grant_type": "password"}).json["error"] == "unsupported_grant_type"


def test_a_code_expires(live_idp):
    app = live_idp[1]
    client = app.test_client()
    verifier, challenge = pkce_pair()
    code = code_from(authorize(client, challenge))
    clock = app.extensions["simulator"].clock
    real_wall = clock.wall
    clock.wall = lambda: real_wall() + 120
    try:
        assert redeem(client, code, verifier).json["error_description"] == "authorization code expired"
    finally:
        clock.wall = real_wall


def test_authorize_requires_pkce_and_a_native_redirect(live_idp):
    client = live_idp[1].test_client()
    no_pkce = authorize(client, None, code_challenge_method=None)
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce.headers["Location"]
    plain = authorize(client, "x" * 43, code_challenge_method="plain")
    assert "error=invalid_request" in plain.headers["Location"]
    assert authorize(client, "x" * 43, redirect_uri="https://evil.example/cb").status_code == 400
    assert authorize(client, "x" * 43, client_id="NO").status_code == 400
    custom = authorize(client, "x" * 43, redirect_uri="gov.illinois.benefits:/oauth2redirect")
    assert custom.status_code == 302 and custom.headers["Location"].startswith(
        "gov.illinois.benefits:/oauth2redirect?code="
    )
    localhost = authorize(client, "x" * 43, redirect_uri="http://localhost:5000/cb")
    assert localhost.status_code == 302


def test_without_a_login_hint_authorize_shows_a_self_contained_persona_picker_that_posts_back(live_idp):
    client = live_idp[1].test_client()
    verifier, challenge = pkce_pair()
    page = authorize(client, challenge, persona=None)
    html = page.data.decode()
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    assert 'method="post"' in html and 'value="maria"' in html and 'value="lee"' in html
    assert "<script" not in html and "<link" not in html and "http" not in html.replace(REDIRECT, "")
    form = {
        "response_type": "code",
        "client_id": "sandbox-app",
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": "ana",
    }
    code = code_from(client.post("/idp/authorize", data=form))
    claims = jwt.decode(redeem(client, code, verifier).json["id_token"], options={"verify_signature": False})
    assert claims["locale"] == "es"


def test_key_rotation_signs_with_the_next_key_and_keeps_the_old_one_published(live_idp):
    url, app = live_idp
    client = app.test_client()
    before = client.get("/idp/jwks.json").json["keys"]
    old_token = client.post("/idp/test-login", json={"persona": "maria"}).json["id_token"]
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    rotated = client.post("/idp/rotate-keys").json
    assert rotated["signing_kid"] == before[1]["kid"] != old_kid
    new_token = client.post("/idp/test-login", json={"persona": "maria"}).json["id_token"]
    assert jwt.get_unverified_header(new_token)["kid"] == rotated["signing_kid"]
    kids = {k["kid"] for k in client.get("/idp/jwks.json").json["keys"]}
    assert {old_kid, rotated["signing_kid"]} < kids
    assert verify(old_token, url, "sandbox-app")["sub"] == verify(new_token, url, "sandbox-app")["sub"]


@pytest.mark.parametrize(("persona", "roles"), [("sophie", ["support"]), ("omar", ["supervisor"]), ("ada", ["admin"])])
def test_the_staff_idp_signs_role_bearing_tokens_with_its_own_keys(live_idp, persona, roles):
    url, app = live_idp
    client = app.test_client()
    doc = client.get("/staff-idp/.well-known/openid-configuration").json
    assert doc["issuer"] == f"{url}/staff-idp" and doc["jwks_uri"] == f"{url}/staff-idp/jwks.json"
    token = client.post("/staff-idp/test-login", json={"persona": persona}).json["id_token"]
    claims = verify(token, url, "support-console", issuer_path="/staff-idp")
    assert claims["roles"] == roles and claims["name"] and claims["email"].endswith(".gov") and claims["sub"]
    resident_kids = {k["kid"] for k in client.get("/idp/jwks.json").json["keys"]}
    assert jwt.get_unverified_header(token)["kid"] not in resident_kids
    with pytest.raises(jwt.PyJWKClientError):
        verify(token, url, "support-console", issuer_path="/idp")
    assert client.post("/staff-idp/test-login", json={"persona": "maria"}).status_code == 404
