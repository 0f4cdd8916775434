"""Helpers for the nudge tests: the sandbox story (maria, james) read through the hub, and nudges by kind."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import sign_in


def advance(sandbox_url: str, days: int) -> None:
    response = httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": days}, timeout=30)
    assert response.status_code == 200, response.text


def nudges(client, who, **headers) -> list[dict]:
    response = client.get("/v1/me/nudges", headers={**who.headers, **headers})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


def by_kind(client, who) -> dict[str, dict]:
    return {nudge["kind"]: nudge for nudge in nudges(client, who)}


def refreshed(client, sandbox_hub, who) -> None:
    """The resident's records as the platform has them now (what the app's first benefits read does)."""
    assert client.get("/v1/me/benefits?refresh=true", headers=who.headers).status_code == 200
    sandbox_hub.runner.run_pending()


@pytest.fixture
def maria(sandbox_client, sandbox_url, sandbox_hub):
    """maria signed in on scenario day 0, her records read: her proof of income is due in 5 days."""
    who = sign_in(sandbox_client, sandbox_url, "maria")
    refreshed(sandbox_client, sandbox_hub, who)
    return who


@pytest.fixture
def james(sandbox_client, sandbox_url, sandbox_hub):
    who = sign_in(sandbox_client, sandbox_url, "james")
    refreshed(sandbox_client, sandbox_hub, who)
    return who
