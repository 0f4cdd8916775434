"""The story from the issue, end to end: maria and ana register phones, the sandbox moves seven days on and posts
its signed change events to the hub, the dispatcher runs, and each inbox holds the messages in the resident's
language while the logging transport (the embedded default) shows one push per message."""

from __future__ import annotations

import logging

import httpx
import pytest

from notifications.dispatch import dispatch_job
from notifications.transports.log import LogTransport
from tests.benefits.test_sandbox_events import live_hub_with_events, wait_until_delivered
from tests.factories import sign_in


class Lines(logging.Handler):
    """Collects what the logging transport writes (create_app replaces the root handlers, caplog's among them)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def inbox(client, who) -> list[dict]:
    response = client.get("/v1/me/notifications?limit=200", headers=who.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]


@pytest.mark.slow
def test_maria_and_ana_get_their_messages_in_their_language_and_pushes_are_logged(settings, test_database, hub):
    push_log = logging.getLogger("tests.sandbox_story.push")
    push_log.setLevel(logging.INFO)
    lines = Lines()
    push_log.addHandler(lines)
    with live_hub_with_events(settings, test_database) as live:
        live.hub.push = LogTransport(push_log)
        people = {name: sign_in(live.client, live.sandbox_url, name) for name in ("maria", "ana")}
        for name, who in people.items():
            device = {"platform": "android", "push_token": f"fcm-token-of-{name}-phone-1", "app_id": "sandbox-app"}
            assert live.client.post("/v1/me/devices", json=device, headers=who.headers).status_code == 201
            assert live.client.get("/v1/me/benefits", headers=who.headers).status_code == 200  # first picture

        advanced = httpx.post(f"{live.sandbox_url}/platform/sim/advance", json={"days": 7}, timeout=30).json()
        assert advanced["events_emitted"] > 0
        wait_until_delivered(live.sandbox_url)
        dispatch_job(live.hub)
        live.hub.runner.run_pending()  # notifications.send_deliveries

        maria, ana = inbox(live.client, people["maria"]), inbox(live.client, people["ana"])

    # maria: her proof of income falls past due, her Medicaid renewal form arrives with its notice
    assert {message["category"] for message in maria} >= {"documents", "renewals", "notices"}
    assert any(message["title"].startswith("Document past due") for message in maria)
    # ana: her Community Care reassessment visit is scheduled and a notice posted, in Spanish
    assert {message["category"] for message in ana} >= {"interviews", "notices"}
    assert any(message["title"].startswith("Entrevista programada") for message in ana)
    assert {message["locale"] for message in maria} == {"en"}
    assert ana and {message["locale"] for message in ana} == {"es"}
    push_log.removeHandler(lines)
    pushed_ids = {record.message_id for record in lines.records}
    assert {message["id"] for message in maria + ana} <= pushed_ids
    assert not any("fcm-token-of" in repr(vars(record)) for record in lines.records)
