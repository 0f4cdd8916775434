"""Bad input never reaches a 500, on any route: deep JSON, unpaired surrogates and NUL, odd header bytes,
bodies in the wrong content type (after authentication, never before) and missing bodies.

Everything goes through HTTP with real sign-ins at the sandbox; each case was a 500 (or a misleading 503, or a
415 before authentication) before the mechanism it names.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from services import clock
from services.models.identity import HubSession
from services.models.notifications import Device
from services.platform.signatures import sign
from tests.factories import ID_TOKEN_TYPE, TOKEN_EXCHANGE, exchange, id_token_for, sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

DEEP = "[" * 50_000
SURROGATE = "\ud800"
PHONE = {"platform": "android", "push_token": "fcm-token-of-a-phone-0001", "app_id": "sandbox-app"}
SECRET = "sandbox-events-secret"

# (method, path, a valid body): every route that takes a JSON body from a resident
RESIDENT_BODIES = [
    ("post", "/v1/me/devices", PHONE),
    ("post", "/v1/me/links", {"agency": "DHS", "case_number": "204815367", "letter_code": "ABCD-1234"}),
    ("put", "/v1/me/consents/DHS", {"granted": True}),
    ("put", "/v1/me/notification-preferences", {"detailed_previews": True}),
]


def raw(client, method: str, path: str, data: bytes | str, content_type="application/json", headers=None):
    return getattr(client, method)(path, data=data, headers={"Content-Type": content_type, **(headers or {})})


def signed_event(client, data: bytes, content_type="application/json"):
    timestamp = int(clock.now().timestamp())
    headers = {"X-Platform-Timestamp": str(timestamp), "X-Platform-Signature": sign(SECRET, timestamp, data)}
    return raw(client, "post", "/v1/platform/events", data, content_type, headers)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# -- deeply nested JSON --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "_body"), RESIDENT_BODIES)
def test_deep_json_is_a_400_naming_the_body_on_every_resident_route(sandbox_client, sandbox_url, method, path, _body):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = assert_problem(raw(sandbox_client, method, path, DEEP, headers=maria.headers), 400, field="body")
    assert "too deeply nested" in body["detail"]


def test_deep_json_on_the_token_endpoint_is_an_oauth_invalid_request(client):
    body = assert_problem(raw(client, "post", "/v1/auth/token", DEEP), 400, field="body")
    assert body["error"] == "invalid_request"
    nested_object = '{"a":' * 100 + "1" + "}" * 100
    assert_problem(raw(client, "post", "/v1/auth/token", nested_object), 400, field="body")


def test_deep_json_on_the_signed_platform_webhook_is_a_400(client, db_session):
    body = assert_problem(signed_event(client, DEEP.encode()), 400, field="body")
    assert "too deeply nested" in body["detail"]
    just_too_deep = json.dumps({"event_id": "e1", "document": json.loads("[" * 64 + "]" * 64)}).encode()
    assert_problem(signed_event(client, just_too_deep), 400, field="body")


def test_nesting_an_agency_document_needs_is_fine(client):
    """Depth 60 parses (the limit is 64): the webhook then validates fields as usual."""
    document = json.loads('{"a":' * 58 + "1" + "}" * 58)
    body = json.dumps({"event_id": "e1", "document": document}).encode()
    assert_problem(signed_event(client, body), 422, field="record_id")


def test_not_strict_json_is_a_400(client):
    for text in ('{"client_id": NaN}', '{"n": ' + "1" * 5000 + "}", b'{"client_id": "\xff"}'):
        assert_problem(raw(client, "post", "/v1/auth/token", text), 400, field="body")


def test_a_deeply_nested_cursor_is_a_422_naming_the_cursor(sandbox_client, sandbox_url):
    import base64

    maria = sign_in(sandbox_client, sandbox_url, "maria")
    cursor = base64.urlsafe_b64encode(b"[" * 300).decode()
    assert_problem(sandbox_client.get(f"/v1/me/devices?cursor={cursor}", headers=maria.headers), 422, field="cursor")


# -- unpaired surrogates and NUL -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [SURROGATE, "a\x00b"])
@pytest.mark.parametrize("field", ["platform", "push_token", "app_id", "locale"])
def test_a_surrogate_or_nul_in_a_device_field_is_a_422_naming_it(sandbox_client, sandbox_url, db_session, field, bad):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = sandbox_client.post("/v1/me/devices", json={**PHONE, field: "fcm-token" + bad}, headers=maria.headers)
    assert_problem(response, 422, field=field)
    assert count(db_session, Device) == 0


@pytest.mark.parametrize("bad", [SURROGATE, "x\x00"])
@pytest.mark.parametrize(
    ("field", "grant"),
    [
        ("client_id", {"grant_type": TOKEN_EXCHANGE, "subject_token_type": ID_TOKEN_TYPE, "subject_token": "x.y.z"}),
        ("subject_token", {"grant_type": TOKEN_EXCHANGE, "subject_token_type": ID_TOKEN_TYPE}),
        ("refresh_token", {"grant_type": "refresh_token"}),
        ("code", {"grant_type": "authorization_code", "code_verifier": "v" * 43, "redirect_uri": "http://x/cb"}),
        ("device_name", {"grant_type": "refresh_token", "refresh_token": "r" * 40}),
        ("nonce", {"grant_type": "refresh_token", "refresh_token": "r" * 40}),
        ("grant_type", {}),
    ],
)
def test_a_surrogate_or_nul_in_a_token_request_is_an_oauth_invalid_request(sandbox_client, field, grant, bad):
    body = {"client_id": "sandbox-app", **grant, field: "abc" + bad}
    problem = assert_problem(sandbox_client.post("/v1/auth/token", json=body), 400, field=field)
    assert problem["error"] == "invalid_request"


def test_a_nul_in_a_form_token_request_is_named_too(client):
    response = client.post("/v1/auth/token", data={"grant_type": "refresh_token", "client_id": "a\x00b"})
    assert assert_problem(response, 400, field="client_id")["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "post",
            "/v1/me/links",
            {"agency": "DHS", "case_number": "2048" + SURROGATE, "letter_code": "x"},
            "case_number",
        ),
        (
            "post",
            "/v1/me/links",
            {"agency": "DHS" + SURROGATE, "case_number": "204815367", "letter_code": "x"},
            "agency",
        ),
        (
            "put",
            "/v1/me/notification-preferences",
            {"categories": {"renewals" + SURROGATE: {"enabled": True}}},
            "categories",
        ),
        (
            "put",
            "/v1/me/notification-preferences",
            {"quiet_hours": {"start": "21:00" + SURROGATE, "end": "07:00"}},
            "quiet_hours.start",
        ),
    ],
)
def test_surrogates_in_other_resident_bodies_are_named(sandbox_client, sandbox_url, method, path, body, field):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    problem = assert_problem(getattr(sandbox_client, method)(path, json=body, headers=maria.headers), 422)
    assert any(name.startswith(field) for name in problem["errors"]), problem["errors"]
    assert SURROGATE not in json.dumps(problem, ensure_ascii=False)


def test_a_surrogate_inside_an_agency_document_is_a_422(client):
    body = {
        "event_id": "e1",
        "type": "record.changed",
        "agency": "DHS",
        "record_id": "IES1",
        "occurred_at": "2026-11-28T06:00:00Z",
        "document": {"cases": [{"name": "x" + SURROGATE}]},
    }
    assert_problem(signed_event(client, json.dumps(body).encode()), 422, field="document")
    body["event_id"] = "e1" + SURROGATE
    assert_problem(signed_event(client, json.dumps(body).encode()), 422, field="event_id")


def test_nul_in_a_query_argument_is_a_422(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    headers = {**sophie.headers, "X-Access-Reason": "Caller asked about her benefits"}
    assert_problem(
        sandbox_client.get("/v1/admin/residents?case_number=2048%00153", headers=headers), 422, field="case_number"
    )
    assert_problem(
        sandbox_client.get("/v1/admin/audit-events?action=a%00", headers=sophie.headers), 422, field="action"
    )


# -- nonces are compared as bytes ----------------------------------------------------------------------------------


def test_a_non_ascii_nonce_is_compared_not_a_crash(sandbox_client, sandbox_url):
    token = id_token_for(sandbox_url, "maria", nonce="nonce-of-this-sign-in")
    body = assert_problem(exchange(sandbox_client, token, nonce="né"), 400)
    assert body["error"] == "invalid_grant"
    accented = id_token_for(sandbox_url, "maria", nonce="café-ñ-nonce")
    assert exchange(sandbox_client, accented, nonce="café-ñ-nonce").status_code == 200


# -- headers the hub reads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["X-Access-Reason", "X-Request-ID", "User-Agent", "Idempotency-Key", "X-Anything"])
def test_a_control_character_in_any_header_is_a_400_naming_it(sandbox_client, sandbox_url, name):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    headers = {**sophie.headers, "X-Access-Reason": "Caller asked about her benefits", name: "a\x00b\x01c"}
    problem = assert_problem(sandbox_client.get("/v1/admin/residents?case_number=204815367", headers=headers), 400)
    assert [header.lower() for header in problem["errors"]] == [name.lower()]


def test_latin_1_and_utf_8_header_bytes_are_read_not_a_crash(sandbox_client, sandbox_url, db_session):
    id_token = id_token_for(sandbox_url, "maria")
    agent = "Teléfono/1.0 ÿ".encode().decode("latin-1")  # what a WSGI server hands over for UTF-8 bytes
    response = sandbox_client.post(
        "/v1/auth/token",
        headers={"User-Agent": agent},
        json={
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": id_token,
            "subject_token_type": ID_TOKEN_TYPE,
            "client_id": "sandbox-app",
        },
    )
    assert response.status_code == 200
    assert db_session.get(HubSession, response.get_json()["session_id"]).user_agent == "Teléfono/1.0 ÿ"
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    reason = "Llamó por su renovación de Medicaid".encode().decode("latin-1")
    headers = {**sophie.headers, "X-Access-Reason": reason, "X-Request-ID": "\xe9" * 20}
    response = sandbox_client.get("/v1/admin/residents?case_number=204815367", headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] != "\xe9" * 20
    bearer = {"Authorization": "Bearer \xe9\xff.\xe9.\xe9"}
    assert_problem(sandbox_client.get("/v1/me", headers=bearer), 401)


def test_an_odd_platform_timestamp_is_a_401_not_a_crash(client):
    for timestamp in ("\xb2\xb3", "1" * 40, "-5"):
        headers = {
            "Content-Type": "application/json",
            "X-Platform-Timestamp": timestamp,
            "X-Platform-Signature": "v1=\xe9",
        }
        assert_problem(client.post("/v1/platform/events", data=b"{}", headers=headers), 401)


# -- content type after authentication; a required body ------------------------------------------------------------

WRONG_TYPE = [*RESIDENT_BODIES, ("post", "/v1/platform/events", {})]


@pytest.mark.parametrize(("method", "path", "body"), WRONG_TYPE)
def test_without_credentials_a_body_in_the_wrong_type_is_a_401_not_a_415(client, method, path, body):
    assert_problem(raw(client, method, path, json.dumps(body), "text/plain"), 401)


@pytest.mark.parametrize(("method", "path", "body"), RESIDENT_BODIES)
def test_signed_in_a_body_in_the_wrong_type_is_a_415(sandbox_client, sandbox_url, method, path, body):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = raw(sandbox_client, method, path, json.dumps(body), content_type, maria.headers)
        assert_problem(response, 415)


def test_a_signed_event_in_the_wrong_type_is_a_415(client):
    assert_problem(signed_event(client, b"{}", "text/plain"), 415)


def test_a_staff_token_on_a_resident_body_route_is_a_401_whatever_the_body(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(raw(sandbox_client, "post", "/v1/me/devices", DEEP, "text/plain", sophie.headers), 401)


@pytest.mark.parametrize(("method", "path", "_body"), RESIDENT_BODIES)
def test_a_missing_body_is_a_422_naming_the_body(sandbox_client, sandbox_url, db_session, method, path, _body):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    before = sandbox_client.get("/v1/me/notification-preferences", headers=maria.headers).get_json()
    assert_problem(getattr(sandbox_client, method)(path, headers=maria.headers), 422, field="body")
    assert_problem(raw(sandbox_client, method, path, b"", headers=maria.headers), 422, field="body")
    assert sandbox_client.get("/v1/me/notification-preferences", headers=maria.headers).get_json() == before


def test_an_empty_token_request_is_an_oauth_invalid_request(client):
    assert assert_problem(client.post("/v1/auth/token"), 400, field="body")["error"] == "invalid_request"
    assert_problem(client.post("/v1/auth/token", data=b"x", headers={"Content-Type": "text/plain"}), 415)


def test_routes_that_take_no_body_ignore_one(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = sandbox_client.post(
        "/v1/auth/logout", data=DEEP, headers={**maria.headers, "Content-Type": "text/plain"}
    )
    assert response.status_code == 204
