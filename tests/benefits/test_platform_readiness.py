"""``/readyz`` reports the platform without failing readiness on it (the hub serves last good copies)."""

from __future__ import annotations

import dataclasses

from composition import build_hub
from services.background import ManualRunner
from services.platform.client import platform_check


def test_the_platform_check_reports_reachability(sandbox_client, sandbox_hub):
    sandbox_hub.readiness.add("platform", platform_check(sandbox_hub))
    body = sandbox_client.get("/readyz").get_json()
    assert {c["name"]: (c["ok"], c["detail"]) for c in body["checks"]}["platform"] == (True, "reachable")


def test_an_unreachable_platform_is_reported_but_the_hub_stays_ready(sandbox_hub):
    settings = dataclasses.replace(sandbox_hub.settings, platform_url="http://127.0.0.1:1/platform")
    elsewhere = build_hub(settings, engine=sandbox_hub.engine, readiness=sandbox_hub.readiness, runner=ManualRunner)
    ok, detail = platform_check(elsewhere)()
    assert ok is True and detail.startswith("unreachable")
