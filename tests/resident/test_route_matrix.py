"""The resident routes' matrix cells no other test here covered (the access log's and device list's bad page
arguments, another resident's devices, the wrong kind of token), through HTTP with real sign-ins at the sandbox
identity providers. The rest of the resident matrix is in this folder (and tests/benefits/,
tests/notifications/test_routes.py for the inbox and preferences); tests/test_route_auth_rules.py fails if any
route has no auth rule.
"""

from __future__ import annotations

import pytest

from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem

PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-0001", "app_id": "sandbox-app"}


# -- GET /v1/me/access-log ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "field"), [("limit=0", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")])
def test_access_log_bad_page_arguments_are_named(sandbox_client, sandbox_url, query, field):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get(f"/v1/me/access-log?{query}", headers=maria.headers), 422, field=field)


def test_access_log_refuses_no_token_and_a_staff_token(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    assert_problem(sandbox_client.get("/v1/me/access-log"), 401)
    assert_problem(sandbox_client.get("/v1/me/access-log", headers=sophie.headers), 401)


# -- GET /v1/me/devices ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"), ("cursor=%%%", "cursor")]
)
def test_device_list_bad_page_arguments_are_named(sandbox_client, sandbox_url, query, field):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(sandbox_client.get(f"/v1/me/devices?{query}", headers=maria.headers), 422, field=field)


def test_device_list_shows_only_the_callers_devices(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    assert sandbox_client.post("/v1/me/devices", json=PHONE, headers=maria.headers).status_code == 201
    assert sandbox_client.get("/v1/me/devices", headers=james.headers).get_json()["data"] == []
    assert len(sandbox_client.get("/v1/me/devices", headers=maria.headers).get_json()["data"]) == 1
