"""Rate limits: sign-in per app and address and per address, refresh per session and per address, link attempts
per resident and per address, device registration per session and per address; each a 429 problem that names
the limit, with Retry-After. No body, however broken, opens a fresh bucket; behind TRUSTED_PROXIES the
per-address limits see the client."""

from __future__ import annotations

import dataclasses

import pytest

from composition import create_app
from services.identity.app_registry import ensure_app_clients
from tests.factories import exchange, id_token_for, refresh, sign_in
from tests.problem_assertions import assert_problem

PHONE = {"platform": "android", "push_token": "fcm-token-rate-limit-000", "app_id": "sandbox-app"}
LINK = {"agency": "DCEO", "case_number": "512004471", "letter_code": "ABCD-1234"}


@pytest.fixture
def app_with(sandbox_settings, sandbox_hub):
    """A test client of a hub built with these settings (each call: a fresh app and a fresh limiter)."""

    def build(**overrides):
        settings = dataclasses.replace(sandbox_settings, **overrides)
        sandbox_hub.settings = settings
        with sandbox_hub.session() as session:
            ensure_app_clients(session, (("county-app", "County app", "resident"),))
        return create_app(hub=sandbox_hub).test_client()

    return build


def _limited(response, counts: str) -> dict:
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert counts in body["detail"], body["detail"]
    return body


# -- sign-in -----------------------------------------------------------------------------------------------------


def test_too_many_sign_in_attempts_get_a_429_with_retry_after(app_with):
    client = app_with(rate_limit_sign_in="3/minute")
    for _ in range(3):
        assert exchange(client, "not-a-token").status_code == 400
    body = _limited(exchange(client, "not-a-token"), "sign-in attempts from this app and address")
    assert "3 per 1 minute" in body["detail"]
    # the limit is per app and address: another app from the same address still gets through
    assert exchange(client, "not-a-token", client_id="county-app").status_code == 400
    # and only the token endpoint is limited
    assert client.get("/.well-known/jwks.json").status_code == 200


def test_form_bodies_count_against_the_same_limit(app_with):
    client = app_with(rate_limit_sign_in="3/minute")
    form = {"grant_type": "authorization_code", "client_id": "sandbox-app"}
    for _ in range(3):
        client.post("/v1/auth/token", data=form)
    _limited(client.post("/v1/auth/token", json=form), "sign-in attempts")


BROKEN_BODIES = {
    "nested 50,000 deep": ("[" * 50_000, "application/json"),
    "a list": ("[1, 2]", "application/json"),
    "malformed JSON": ('{"client_id": ', "application/json"),
    "client_id not a string": ('{"client_id": {"a": [1]}, "grant_type": 5}', "application/json"),
    "not UTF-8": (b"\xff\xfe{", "application/json"),
    "a form too large to parse": ("client_id=" + "a" * 600_000, "application/x-www-form-urlencoded"),
}


@pytest.mark.parametrize("name", list(BROKEN_BODIES))
def test_a_body_that_breaks_the_key_opens_no_fresh_bucket(app_with, name):
    """Before: an exception in the key function made Flask-Limiter switch to a fresh in-memory store."""
    client = app_with(rate_limit_sign_in="3/minute", rate_limit_sign_in_per_address="50/minute")
    for _ in range(3):
        exchange(client, "not-a-token")
    assert exchange(client, "not-a-token").status_code == 429
    data, content_type = BROKEN_BODIES[name]
    client.post("/v1/auth/token", data=data, content_type=content_type)
    assert [exchange(client, "not-a-token").status_code for _ in range(5)] == [429] * 5


def test_unreadable_bodies_are_counted_in_the_address_bucket(app_with):
    client = app_with(rate_limit_sign_in="3/minute")
    statuses = [client.post("/v1/auth/token", json=[n]).status_code for n in range(4)]
    assert statuses[:3] == [400] * 3
    _limited(client.post("/v1/auth/token", data="{bad", content_type="application/json"), "sign-in attempts")
    assert exchange(client, "not-a-token").status_code == 400  # the app's own bucket is untouched


def test_every_app_from_one_address_shares_the_per_address_limit(app_with):
    client = app_with(rate_limit_sign_in="10/minute", rate_limit_sign_in_per_address="4/minute")
    for client_id in ("sandbox-app", "county-app", "made-up-1", "made-up-2"):
        exchange(client, "not-a-token", client_id=client_id)
    _limited(exchange(client, "not-a-token", client_id="made-up-3"), "sign-in attempts from this address")


# -- refresh -----------------------------------------------------------------------------------------------------


def test_refresh_is_limited_per_session(app_with, sandbox_url):
    client = app_with(rate_limit_refresh="2/minute", rate_limit_sign_in="2/minute")
    first, second = sign_in(client, sandbox_url, "maria"), sign_in(client, sandbox_url, "james")
    token = first.refresh_token
    for _ in range(2):
        response = refresh(client, token)
        assert response.status_code == 200  # and refreshes do not use up sign-in attempts
        token = response.get_json()["refresh_token"]
    _limited(refresh(client, token), "refreshes of this session")
    assert refresh(client, second.refresh_token).status_code == 200  # another session is not held back
    assert exchange(client, id_token_for(sandbox_url, "sam")).status_code == 429  # sign-in counted apart


def test_unknown_refresh_tokens_share_the_address_bucket(app_with):
    client = app_with(rate_limit_refresh="2/minute")
    for n in range(2):
        assert refresh(client, f"made-up-refresh-token-{n}").status_code == 400
    _limited(refresh(client, "made-up-refresh-token-3"), "refreshes of this session")


def test_refresh_from_one_address_is_limited_too(app_with, sandbox_url):
    client = app_with(rate_limit_refresh="5/minute", rate_limit_refresh_per_address="2/minute")
    maria, james = sign_in(client, sandbox_url, "maria"), sign_in(client, sandbox_url, "james")
    assert refresh(client, maria.refresh_token).status_code == 200
    assert refresh(client, james.refresh_token).status_code == 200
    _limited(refresh(client, "made-up-refresh-token"), "refreshes from this address")


# -- linking and device registration ---------------------------------------------------------------------------


def test_link_attempts_are_limited_per_resident(app_with, sandbox_url):
    client = app_with(rate_limit_links="2/hour")
    sam, maria = sign_in(client, sandbox_url, "sam"), sign_in(client, sandbox_url, "maria")
    for _ in range(2):
        assert client.post("/v1/me/links", json=LINK, headers=sam.headers).status_code == 404
    _limited(client.post("/v1/me/links", json=LINK, headers=sam.headers), "attempts to link a record from this account")
    # bad bodies count too (the limit runs before the body is read), and other residents are not held back
    _limited(client.post("/v1/me/links", json={}, headers=sam.headers), "from this account")
    assert client.post("/v1/me/links", json=LINK, headers=maria.headers).status_code == 404


def test_link_attempts_are_limited_per_address(app_with, sandbox_url):
    client = app_with(rate_limit_links="5/hour", rate_limit_links_per_address="3/hour")
    sam, maria = sign_in(client, sandbox_url, "sam"), sign_in(client, sandbox_url, "maria")
    for signed in (sam, maria, sam):
        client.post("/v1/me/links", json=LINK, headers=signed.headers)
    _limited(client.post("/v1/me/links", json=LINK, headers=maria.headers), "from this address")


def test_unauthenticated_link_attempts_are_refused_before_counting(app_with, sandbox_url):
    client = app_with(rate_limit_links="1/hour")
    for _ in range(3):
        assert_problem(client.post("/v1/me/links", json=LINK), 401)
    sam = sign_in(client, sandbox_url, "sam")
    assert client.post("/v1/me/links", json=LINK, headers=sam.headers).status_code == 404


def test_device_registration_is_limited_per_session(app_with, sandbox_url):
    client = app_with(rate_limit_devices="2/hour")
    phone, tablet = sign_in(client, sandbox_url, "maria"), sign_in(client, sandbox_url, "maria")
    for n in range(2):
        body = {**PHONE, "push_token": f"{PHONE['push_token']}{n}"}
        assert client.post("/v1/me/devices", json=body, headers=phone.headers).status_code == 201
    _limited(client.post("/v1/me/devices", json=PHONE, headers=phone.headers), "device registrations from this session")
    assert client.post("/v1/me/devices", json=PHONE, headers=tablet.headers).status_code == 201


def test_device_registration_is_limited_per_address(app_with, sandbox_url):
    client = app_with(rate_limit_devices="5/hour", rate_limit_devices_per_address="2/hour")
    maria, james = sign_in(client, sandbox_url, "maria"), sign_in(client, sandbox_url, "james")
    assert client.post("/v1/me/devices", json=PHONE, headers=maria.headers).status_code == 201
    assert (
        client.post("/v1/me/devices", json={**PHONE, "push_token": "x" * 40}, headers=james.headers).status_code == 201
    )
    _limited(client.post("/v1/me/devices", json=PHONE, headers=maria.headers), "from this address")


# -- behind a load balancer ------------------------------------------------------------------------------------


def _from(client, forwarded_for: str):
    return client.post(
        "/v1/auth/token",
        json={"grant_type": "authorization_code", "client_id": "sandbox-app"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(app_with):
    client = app_with(rate_limit_sign_in="2/minute", trusted_proxies=1)
    for _ in range(2):
        assert _from(client, "203.0.113.7").status_code == 400
    _limited(_from(client, "203.0.113.7"), "sign-in attempts")
    assert _from(client, "198.51.100.20").status_code == 400  # another phone behind the same balancer


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(app_with):
    client = app_with(rate_limit_sign_in="2/minute")
    for n in range(2):
        assert _from(client, f"203.0.113.{n}").status_code == 400
    _limited(_from(client, "198.51.100.20"), "sign-in attempts")  # a made-up header opens no fresh bucket


def test_only_the_configured_number_of_hops_is_believed(app_with):
    client = app_with(rate_limit_sign_in="2/minute", trusted_proxies=1)
    for n in range(2):  # the client forges an extra hop; the balancer appends the real address
        assert _from(client, f"10.9.9.{n}, 203.0.113.7").status_code == 400
    _limited(_from(client, "10.9.9.99, 203.0.113.7"), "sign-in attempts")
