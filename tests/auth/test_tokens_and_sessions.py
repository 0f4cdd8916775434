"""The token endpoint's grants, refresh rotation with reuse detection, and revocation taking effect at once."""

from __future__ import annotations

import datetime as dt
import logging

import jwt
from sqlalchemy import select

from services import clock
from services.identity.app_registry import ensure_app_clients
from services.models.identity import HubSession, RefreshToken
from tests.factories import ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE, exchange, id_token_for, refresh, sign_in
from tests.problem_assertions import assert_problem


def test_token_exchange_returns_hub_tokens(sandbox_client, sandbox_url):
    response = exchange(sandbox_client, id_token_for(sandbox_url, "maria"), device_name="Maria's phone")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert {"access_token", "refresh_token", "session_id"} <= body.keys()
    keys = sandbox_client.get("/.well-known/jwks.json").get_json()["keys"]
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "ES256" and header["kid"] in {key["kid"] for key in keys}
    claims = jwt.decode(body["access_token"], jwt.PyJWK(keys[0]).key, algorithms=["ES256"], audience="sandbox-app")
    assert claims["sid"] == body["session_id"] and claims["kind"] == "resident"
    assert "email" not in claims and "name" not in claims


def test_the_token_endpoint_takes_a_form_body(sandbox_client, sandbox_url):
    form = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": id_token_for(sandbox_url, "james"),
        "client_id": "sandbox-app",
        "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
        "scope": "ignored extra parameter",
    }
    response = sandbox_client.post("/v1/auth/token", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_malformed_token_request_names_the_field(sandbox_client):
    body = assert_problem(
        sandbox_client.post("/v1/auth/token", json={"grant_type": TOKEN_EXCHANGE, "client_id": "sandbox-app"}),
        400,
        field="subject_token",
    )
    assert body["error"] == "invalid_request"
    body = assert_problem(
        sandbox_client.post("/v1/auth/token", data={"grant_type": "refresh_token"}), 400, field="client_id"
    )
    assert body["error"] == "invalid_request"
    body = assert_problem(sandbox_client.post("/v1/auth/token", json={"grant_type": "password", "client_id": "x"}), 400)
    assert body["error"] == "unsupported_grant_type"
    body = assert_problem(sandbox_client.post("/v1/auth/token", data="{", content_type="application/json"), 400)
    assert body["error"] == "invalid_request"


def test_refresh_rotates_and_the_new_tokens_work(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = refresh(sandbox_client, maria.refresh_token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["session_id"] == maria.session_id
    assert body["refresh_token"] != maria.refresh_token
    assert sandbox_client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"}).status_code == 200
    assert refresh(sandbox_client, body["refresh_token"]).status_code == 200


def test_refresh_tokens_are_stored_only_as_hashes(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    stored = db_session.scalars(select(RefreshToken.token_hash)).all()
    assert stored and maria.refresh_token not in stored


def test_reusing_a_refresh_token_ends_the_whole_session(sandbox_client, sandbox_url, db_session, caplog):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    rotated = refresh(sandbox_client, maria.refresh_token).get_json()
    with caplog.at_level(logging.WARNING, logger="hub.security"):
        body = assert_problem(refresh(sandbox_client, maria.refresh_token), 400)
    assert body["error"] == "invalid_grant" and "already used" in body["detail"]
    # the legitimate holder's newer tokens die with the session
    assert_problem(refresh(sandbox_client, rotated["refresh_token"]), 400)
    me = sandbox_client.get("/v1/me", headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert_problem(me, 401)
    hub_session = db_session.get(HubSession, maria.session_id)
    assert hub_session.revoked_reason == "refresh_token_reuse"
    [record] = [r for r in caplog.records if r.name == "hub.security"]
    assert record.session_id == maria.session_id and record.security_event == "refresh_token_reuse"
    logged = " ".join(str(value) for value in record.__dict__.values())
    assert maria.refresh_token not in logged and rotated["access_token"] not in logged


def test_a_refresh_token_works_only_for_its_own_app(sandbox_client, sandbox_url, sandbox_hub):
    with sandbox_hub.session() as session:
        ensure_app_clients(session, (("county-app", "County app", "resident"),))
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = assert_problem(refresh(sandbox_client, maria.refresh_token, client_id="county-app"), 400)
    assert body["error"] == "invalid_grant"
    assert assert_problem(refresh(sandbox_client, "made-up-token"), 400)["error"] == "invalid_grant"


def test_an_expired_refresh_token_is_refused(sandbox_client, sandbox_url):
    with clock.frozen(dt.datetime.now(dt.UTC) - dt.timedelta(days=31)):
        maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = assert_problem(refresh(sandbox_client, maria.refresh_token), 400)
    assert "expired" in body["detail"]


def test_an_expired_access_token_is_refused(sandbox_client, sandbox_url):
    with clock.frozen(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)):
        maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = assert_problem(sandbox_client.get("/v1/me", headers=maria.headers), 401)
    assert "expired" in body["detail"]


def test_a_token_signed_by_someone_else_is_refused(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    header, payload, _ = maria.access_token.split(".")
    forged = jwt.encode(
        {"sub": "x", "sid": maria.session_id, "kind": "resident"},
        "a-secret-of-at-least-thirty-two-bytes!!",
        algorithm="HS256",
    )
    for token in (forged, f"{header}.{payload}.AAAA", "garbage"):
        response = sandbox_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_problem(sandbox_client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_logout_ends_the_session_at_once(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    other_device = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.post("/v1/auth/logout", headers=maria.headers).status_code == 204
    assert_problem(sandbox_client.get("/v1/me", headers=maria.headers), 401)
    assert_problem(refresh(sandbox_client, maria.refresh_token), 400)
    assert_problem(sandbox_client.post("/v1/auth/logout", headers=maria.headers), 401)
    assert sandbox_client.get("/v1/me", headers=other_device.headers).status_code == 200
    assert_problem(sandbox_client.post("/v1/auth/logout"), 401)


def test_single_sign_on_gives_another_app_its_own_session(sandbox_client, sandbox_url, sandbox_hub):
    with sandbox_hub.session() as session:
        ensure_app_clients(session, (("county-app", "County app", "resident"),))
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = sandbox_client.post(
        "/v1/auth/token",
        json={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": maria.access_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "client_id": "county-app",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    county = response.get_json()
    assert county["session_id"] != maria.session_id
    headers = {"Authorization": f"Bearer {county['access_token']}"}
    assert (
        sandbox_client.get("/v1/me", headers=headers).get_json()["id"]
        == sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    )
    assert jwt.decode(county["access_token"], options={"verify_signature": False})["aud"] == "county-app"
    # the county app's refresh token is its own, and a revoked session cannot seed another app
    assert refresh(sandbox_client, county["refresh_token"], client_id="county-app").status_code == 200
    sandbox_client.post("/v1/auth/logout", headers=maria.headers)
    again = sandbox_client.post(
        "/v1/auth/token",
        json={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": maria.access_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "client_id": "county-app",
        },
    )
    assert assert_problem(again, 400)["error"] == "invalid_grant"
