"""Guessing invitation codes is throttled per account and per address (429 with Retry-After), apart from linking."""

from __future__ import annotations

import dataclasses

from composition import create_app
from tests.factories import sign_in
from tests.problem_assertions import assert_problem

GUESS = {"code": "HKPD-WRTC-MNZA-FQEX"}


def _client(sandbox_hub, **limits):
    sandbox_hub.settings = dataclasses.replace(sandbox_hub.settings, **limits)
    return create_app(hub=sandbox_hub).test_client()


def test_wrong_codes_are_limited_per_account_and_others_are_not_held_back(sandbox_hub, sandbox_url):
    client = _client(sandbox_hub, rate_limit_links="3/hour", rate_limit_links_per_address="100/hour")
    rosa, maria = sign_in(client, sandbox_url, "rosa"), sign_in(client, sandbox_url, "maria")
    for _ in range(3):
        assert_problem(client.post("/v1/me/represented", json=GUESS, headers=rosa.headers), 404, field="code")
    refused = assert_problem(client.post("/v1/me/represented", json=GUESS, headers=rosa.headers), 429)
    assert "accept an invitation from this account" in refused["detail"]
    assert int(client.post("/v1/me/represented", json={}, headers=rosa.headers).headers["Retry-After"]) > 0
    assert_problem(client.post("/v1/me/represented", json=GUESS, headers=maria.headers), 404, field="code")


def test_wrong_codes_are_limited_per_address(sandbox_hub, sandbox_url):
    client = _client(sandbox_hub, rate_limit_links="100/hour", rate_limit_links_per_address="2/hour")
    rosa, maria = sign_in(client, sandbox_url, "rosa"), sign_in(client, sandbox_url, "maria")
    for signed in (rosa, maria):
        client.post("/v1/me/represented", json=GUESS, headers=signed.headers)
    refused = assert_problem(client.post("/v1/me/represented", json=GUESS, headers=rosa.headers), 429)
    assert "from this address" in refused["detail"]
