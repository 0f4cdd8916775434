"""After a persona story through HTTP (maria signs in, registers her phone, her week at the sandbox moves on, the
dispatcher and the sender run, sophie resends), every metric of ``/metrics`` is there and says what the
database says."""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest
from sqlalchemy import func, select

from composition import create_app
from notifications.dispatch import dispatch_job
from services.models.audit import AuditEvent
from services.models.notifications import NotificationMessage, PushDelivery
from services.models.outbox import OutboxEvent
from tests.factories import sign_in, sign_in_staff
from tests.operations.scrape import Scrape, scrape

PHONE = {"platform": "android", "push_token": "fcm-token-of-marias-phone-metrics", "app_id": "sandbox-app"}
REASON = "Maria asked whether her reminder went out"


def count(session, query) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(query.subquery()))


def added(after: Scrape, before: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


def fault(sandbox_url: str, agency: str, mode: str) -> None:
    response = httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": agency, "mode": mode}, timeout=10)
    assert response.status_code == 200, response.text


def test_marias_week_in_the_metrics(sandbox_client, sandbox_url, sandbox_server, sandbox_hub, db_session):
    client = sandbox_client
    before = scrape(client)
    maria = sign_in(client, sandbox_url, "maria")
    assert client.post("/v1/me/devices", json=PHONE, headers=maria.headers).status_code == 201
    assert client.get("/v1/me/benefits", headers=maria.headers).status_code == 200  # the hub's first picture
    assert sandbox_server.post("/platform/sim/advance", {"days": 7}).status_code == 200
    assert client.get("/v1/me/benefits?refresh=true", headers=maria.headers).status_code == 200

    waiting = scrape(client)
    pending = select(OutboxEvent.id).where(OutboxEvent.processed_at.is_(None))
    backlog = count(db_session, pending)
    assert backlog > 0  # her week's changes wait for the dispatcher
    assert waiting.value("hub_outbox_backlog") == backlog
    assert 0 <= waiting.value("hub_outbox_oldest_pending_age_seconds") < 120

    dispatch_job(sandbox_hub)
    sandbox_hub.runner.run_pending()  # notifications.send_deliveries, queued by the dispatch
    sophie = sign_in_staff(client, sandbox_url, "sophie")
    staff = {**sophie.headers, "X-Access-Reason": REASON}
    maria_id = client.get("/v1/me", headers=maria.headers).get_json()["id"]
    [latest, *_] = client.get(f"/v1/admin/residents/{maria_id}/notifications", headers=staff).get_json()["data"]
    assert client.post(f"/v1/admin/notifications/{latest['id']}/resend", headers=staff).status_code == 200
    after = scrape(client)

    messages = count(db_session, select(NotificationMessage.id))
    initial = count(db_session, select(PushDelivery.id).where(PushDelivery.kind == "initial"))
    sent = count(db_session, select(PushDelivery.id).where(PushDelivery.state == "sent"))
    assert messages > 0 and initial == messages and sent == initial  # one phone: a push per message, all sent
    assert added(after, before, "hub_outbox_dispatched_events_total") == backlog
    assert added(after, before, "hub_notification_messages_total") == messages
    assert added(after, before, "hub_push_deliveries_queued_total") == initial
    assert added(after, before, "hub_push_sends_total", outcome="sent") == sent
    assert added(after, before, "hub_push_sends_total", outcome="failed") == 0
    assert after.value("hub_outbox_backlog") == 0 and after.value("hub_outbox_oldest_pending_age_seconds") == 0
    assert after.value("hub_push_pending", state="queued") == 1  # sophie's resend, not sent yet
    assert after.value("hub_push_pending", state="sending") == 0
    assert 0 <= after.value("hub_push_oldest_due_age_seconds") < 60
    assert after.value("hub_audit_chain_length") == count(db_session, select(AuditEvent.id)) > 0

    assert added(after, before, "hub_platform_calls_total", agency="DHS", outcome="ok") >= 2
    assert added(after, before, "hub_platform_calls_total", agency="HFS", outcome="ok") >= 2
    assert after.value("hub_platform_breaker_open", agency="DHS") == 0
    assert time.time() - after.value("hub_platform_last_success_timestamp_seconds", agency="DHS") < 60
    assert after.value("hub_source_fresh_seconds") == sandbox_hub.settings.fresh_seconds
    assert after.value("hub_metrics_source_up", source="database") == 1

    sign_ins = "/v1/auth/token"
    assert added(after, before, "hub_http_requests_total", method="POST", route=sign_ins, status="200") == 2
    assert added(after, before, "hub_http_request_duration_seconds_count", method="GET", route="/v1/me/benefits") == 2


def test_an_agency_that_fails_opens_its_breaker_and_a_success_closes_it(sandbox_hub, sandbox_url):
    sandbox_hub.settings = dataclasses.replace(sandbox_hub.settings, breaker_reset_seconds=1)
    client = create_app(hub=sandbox_hub).test_client()
    maria = sign_in(client, sandbox_url, "maria")
    before = scrape(client)
    fault(sandbox_url, "DHS", "down")
    for _ in range(sandbox_hub.settings.breaker_fail_max):
        assert client.get("/v1/me/benefits?refresh=true", headers=maria.headers).status_code == 200
    opened = scrape(client)
    assert opened.value("hub_platform_breaker_open", agency="DHS") == 1
    assert opened.value("hub_platform_breaker_open", agency="HFS") == 0
    assert added(opened, before, "hub_platform_breaker_opened_total", agency="DHS") == 1
    assert added(opened, before, "hub_platform_calls_total", agency="DHS", outcome="error") == 3

    fault(sandbox_url, "DHS", "ok")
    time.sleep(1.1)  # the breaker lets a trial call through
    assert client.get("/v1/me/benefits?refresh=true", headers=maria.headers).status_code == 200
    closed = scrape(client)
    assert closed.value("hub_platform_breaker_open", agency="DHS") == 0
    assert added(closed, opened, "hub_platform_calls_total", agency="DHS", outcome="ok") == 1


@pytest.fixture
def unreachable_database(hub, tmp_path):
    from services.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'hub.db'}")
    hub.session_factory = make_session_factory(engine)
    yield
    engine.dispose()


def test_a_database_that_does_not_answer_is_reported_not_a_failed_scrape(hub, unreachable_database):
    client = create_app(hub=hub).test_client()
    found = scrape(client)
    assert found.value("hub_metrics_source_up", source="database") == 0
    assert not found.has("hub_outbox_backlog")
    assert found.has("hub_source_fresh_seconds")


def documented_metrics() -> set[str]:
    """The metric names of the README's table in "Observing the hub"."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Observing the hub", 1)[1].split("Example alerts", 1)[0]
    return {
        name for row in section.splitlines() if row.startswith("| `hub_") for name in re.findall(r"`(hub_\w+)", row)
    }


def test_every_metric_is_in_the_runbook_and_every_documented_one_is_served(client):
    served = {name for name in scrape(client).families if name.startswith("hub_")}
    documented = documented_metrics()
    broker_only = {"hub_celery_queue_length", "hub_celery_unacked"}  # with WORKER_MODE=celery on Redis
    names = {  # families as the parser names them: a counter's family drops _total
        name.removesuffix("_total") if name.endswith("_total") else name for name in documented
    }
    assert served == names - broker_only
