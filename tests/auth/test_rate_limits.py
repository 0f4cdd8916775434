"""Sign-in is rate limited per app and caller address (Flask-Limiter), answered with a 429 problem."""

from __future__ import annotations

import dataclasses

import pytest

from api.app import create_app
from services.apps import ensure_app_clients
from tests.factories import exchange
from tests.problem_assertions import assert_problem


@pytest.fixture
def limited_client(sandbox_settings, sandbox_context):
    settings = dataclasses.replace(sandbox_settings, rate_limit_sign_in="3/minute")
    sandbox_context.settings = settings
    with sandbox_context.session() as session:
        ensure_app_clients(session, (("county-app", "County app", "resident"),))
    return create_app(settings, context=sandbox_context).test_client()


def test_too_many_sign_in_attempts_get_a_429_with_retry_after(limited_client):
    for _ in range(3):
        assert exchange(limited_client, "not-a-token").status_code == 400
    response = exchange(limited_client, "not-a-token")
    body = assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    assert "Too many" in body["detail"]
    # the limit is per app and address: another app from the same address still gets through
    assert exchange(limited_client, "not-a-token", client_id="county-app").status_code == 400
    # and only sign-in is limited
    assert limited_client.get("/.well-known/jwks.json").status_code == 200


def test_form_bodies_count_against_the_same_limit(limited_client):
    for _ in range(3):
        limited_client.post("/v1/auth/token", data={"grant_type": "refresh_token", "client_id": "sandbox-app"})
    response = limited_client.post("/v1/auth/token", json={"grant_type": "refresh_token", "client_id": "sandbox-app"})
    assert_problem(response, 429)
