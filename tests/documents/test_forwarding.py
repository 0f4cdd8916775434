"""Forwarding to the platform's intake: an outage delays an upload and never loses it; a worker killed after
sending forwards it once; the reminders for the action stop once something is on its way and start again when
the agency rejects it."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import select

from services import clock
from services.benefits.reminders import write_due_reminders
from services.documents import forwarding
from services.models.benefits import BenefitAction
from services.models.documents import DocumentUpload
from services.models.outbox import OutboxEvent
from tests.documents.conftest import run_background, upload
from tests.documents.files import pdf


def fault(sandbox_url, agency, mode):
    assert httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": agency, "mode": mode}).status_code == 200


def intake_counts(sandbox_url) -> dict:
    return httpx.get(f"{sandbox_url}/platform/sim/state").json()["documents"]


def the_upload(hub) -> DocumentUpload:
    with hub.session() as session:
        row = session.scalar(select(DocumentUpload))
        session.expunge(row)
        return row


def test_a_platform_outage_delays_the_upload_and_the_sweep_forwards_it_later(
    sandbox_client, sandbox_hub, sandbox_url, maria
):
    fault(sandbox_url, "DHS", "down")
    sent = upload(sandbox_client, maria, pdf()).get_json()
    assert sent["status"] == "submitted"
    sandbox_hub.runner.run_pending()
    row = the_upload(sandbox_hub)
    assert row.forwarded_at is None and row.forward_attempts == 1 and row.forward_error == "http_error"
    assert row.forward_after > clock.now()

    assert forwarding.sweep(sandbox_hub) == {"forwarded": 0, "decided": 0}  # backing off: not tried again yet
    fault(sandbox_url, "DHS", "ok")
    assert forwarding.sweep(sandbox_hub) == {"forwarded": 0, "decided": 0}
    clock.set_now(row.forward_after + dt.timedelta(seconds=1))
    assert forwarding.sweep(sandbox_hub)["forwarded"] == 1
    got = sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()
    assert got["status"] == "received" and got["tracking_number"]
    assert the_upload(sandbox_hub).forward_error is None
    assert intake_counts(sandbox_url) == {"documents": 1, "deliveries": 1}


def test_backoff_doubles_to_an_hour_and_never_gives_up():
    assert [forwarding.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert forwarding.backoff(40) == dt.timedelta(hours=1)


def test_a_worker_killed_after_sending_forwards_once(sandbox_client, sandbox_hub, sandbox_url, maria):
    """The intake has the file but the worker died before recording its answer: the next attempt sends it again
    and the agency holds it once, under the same tracking number."""
    sent = upload(sandbox_client, maria, pdf()).get_json()
    row = the_upload(sandbox_hub)
    fields = {
        "upload_id": row.id,
        "record_id": row.record_id,
        "action_key": row.action_source_key,
        "receipt_number": row.receipt_number,
    }
    content = sandbox_hub.document_store.get(row.storage_key)
    first = sandbox_hub.platform.forward_document("DHS", fields, row.filename, row.content_type, content)
    # ... killed here: nothing recorded at the hub
    assert the_upload(sandbox_hub).forwarded_at is None
    sandbox_hub.runner.run_pending()  # the queued job runs (or the sweep would)
    assert forwarding.forward_upload(sandbox_hub, sent["id"]) == "already"
    got = sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()
    assert got["tracking_number"] == first["tracking_number"]
    assert intake_counts(sandbox_url) == {"documents": 1, "deliveries": 2}


def test_a_lost_job_is_forwarded_by_the_sweep(sandbox_client, sandbox_hub, maria):
    sent = upload(sandbox_client, maria, pdf()).get_json()
    sandbox_hub.runner.pending.clear()  # the broker lost it
    assert forwarding.sweep(sandbox_hub)["forwarded"] == 1
    assert (
        sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()["status"] == "received"
    )


def document_reminders(hub) -> list[str]:
    with hub.session() as session:
        return [
            e.dedupe_key
            for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == "reminder.document_due"))
        ]


def test_reminders_stop_once_a_file_is_sent_and_start_again_when_it_is_rejected(sandbox_client, sandbox_hub, maria):
    with sandbox_hub.session() as session:
        due_on = session.get(BenefitAction, maria.action_id).due_on
    assert due_on is not None
    a_week_before = due_on - dt.timedelta(days=7)
    upload(sandbox_client, maria, pdf())
    with sandbox_hub.session() as session:
        write_due_reminders(session, today=a_week_before)
    assert document_reminders(sandbox_hub) == []

    with sandbox_hub.session() as session:
        session.scalar(select(DocumentUpload)).status = "rejected"
        session.commit()
    with sandbox_hub.session() as session:
        write_due_reminders(session, today=a_week_before)
    assert [key.split(":")[1] for key in document_reminders(sandbox_hub)] == [maria.action_id]


def test_the_action_shows_what_was_sent(sandbox_client, sandbox_hub, maria):
    sent = upload(sandbox_client, maria, pdf(), "paystub.pdf").get_json()
    run_background(sandbox_hub)
    actions = sandbox_client.get("/v1/me/actions", headers=maria.headers).get_json()["data"]
    [action] = [a for a in actions if a["id"] == maria.action_id]
    [shown] = action["documents"]
    assert shown["id"] == sent["id"] and shown["status"] == "received" and shown["tracking_number"]
    assert shown["receipt_number"] == sent["receipt_number"] and shown["filename"] == "paystub.pdf"
    benefits = sandbox_client.get("/v1/me/benefits", headers=maria.headers).get_json()["data"]
    [snap] = [b for b in benefits if b["program"]["code"] == "SNAP"]
    assert snap["actions"][0]["documents"][0]["id"] == sent["id"]
