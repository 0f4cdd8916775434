"""``/readyz`` reports the platform without failing readiness on it (the hub serves last good copies)."""

from __future__ import annotations

import dataclasses

from services.context import HubContext
from services.platform.client import platform_check


def test_the_platform_check_reports_reachability(sandbox_client, sandbox_context):
    sandbox_context.readiness.add("platform", platform_check(sandbox_context))
    body = sandbox_client.get("/readyz").get_json()
    assert {c["name"]: (c["ok"], c["detail"]) for c in body["checks"]}["platform"] == (True, "reachable")


def test_an_unreachable_platform_is_reported_but_the_hub_stays_ready(sandbox_context):
    settings = dataclasses.replace(sandbox_context.settings, platform_url="http://127.0.0.1:1/platform")
    context = HubContext(settings, sandbox_context.engine, sandbox_context.session_factory, sandbox_context.readiness)
    ok, detail = platform_check(context)()
    assert ok is True and detail.startswith("unreachable")
