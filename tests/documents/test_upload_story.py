"""maria sends her proof of income: a receipt at once, ``received`` with the agency's tracking number once the
platform's intake has it, ``accepted`` two scenario days later, a message in her inbox for each change; a
blurry photo is rejected with the reason in plain words, and her reminders stop and start again."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.models.documents import DocumentUpload
from services.models.identity import Resident
from services.models.outbox import OutboxEvent
from tests.documents.conftest import run_background, upload
from tests.documents.files import exif_of, pdf, photo


def inbox(client, resident) -> list[dict]:
    response = client.get("/v1/me/notifications", headers=resident.headers)
    assert response.status_code == 200
    return [m for m in response.get_json()["data"] if m["category"] == "documents"]


def test_maria_uploads_proof_of_income_and_follows_it_to_accepted(sandbox_client, sandbox_hub, sandbox_url, maria):
    response = upload(sandbox_client, maria, pdf(), "paystub march.pdf")
    assert response.status_code == 201, response.get_data(as_text=True)
    sent = response.get_json()
    assert sent["status"] == "submitted" and sent["action_id"] == maria.action_id
    assert sent["receipt_number"].startswith("BH-") and len(sent["receipt_number"]) == 12
    assert (sent["filename"], sent["content_type"]) == ("paystub march.pdf", "application/pdf")
    assert sent["size"] > 0 and sent["submitted_at"] and sent["tracking_number"] is None

    run_background(sandbox_hub)
    got = sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()
    assert got["status"] == "received" and got["tracking_number"].startswith("DHS-DOC-")
    assert got["receipt_number"] == sent["receipt_number"]
    [received] = inbox(sandbox_client, maria)
    assert got["tracking_number"] in received["body"] and "Proof of income" in received["title"]

    assert httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 1}).status_code == 200
    run_background(sandbox_hub)
    assert (
        sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()["status"] == "received"
    )

    assert httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 1}).status_code == 200
    run_background(sandbox_hub)
    got = sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()
    assert got["status"] == "accepted" and got["decided_at"] and got["status_reason"] is None
    titles = [m["title"] for m in inbox(sandbox_client, maria)]
    assert len(titles) == 2 and titles[0].startswith("Document accepted")

    listed = sandbox_client.get("/v1/me/documents", headers=maria.headers).get_json()
    assert [d["id"] for d in listed["data"]] == [sent["id"]] and listed["meta"]["next_cursor"] is None
    file = sandbox_client.get(f"/v1/me/documents/{sent['id']}/file", headers=maria.headers)
    assert file.status_code == 200 and file.mimetype == "application/octet-stream" and file.data.startswith(b"%PDF")


def test_a_blurry_photo_is_rejected_in_plain_words_and_the_gps_never_stored(
    sandbox_client, sandbox_hub, sandbox_url, maria
):
    original = photo(sharp=False)
    assert 0x8825 in exif_of(original)
    response = upload(sandbox_client, maria, original, "IMG_0042.JPG")
    assert response.status_code == 201, response.get_data(as_text=True)
    sent = response.get_json()
    assert sent["content_type"] == "image/jpeg" and sent["filename"] == "IMG_0042.jpg"
    stored = sandbox_client.get(f"/v1/me/documents/{sent['id']}/file", headers=maria.headers).data
    assert exif_of(stored) == {}

    run_background(sandbox_hub)
    assert httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 1}).status_code == 200
    run_background(sandbox_hub)
    got = sandbox_client.get(f"/v1/me/documents/{sent['id']}", headers=maria.headers).get_json()
    assert got["status"] == "rejected"
    assert "could not be read" in got["status_reason"]
    [rejected, _received] = inbox(sandbox_client, maria)
    assert rejected["title"].startswith("Send it again") and "could not be read" in rejected["body"]


def test_notifications_follow_the_residents_language(sandbox_client, sandbox_hub, maria):
    response = upload(sandbox_client, maria, pdf())
    assert response.status_code == 201
    with sandbox_hub.session() as session:
        upload_row = session.scalar(select(DocumentUpload))
        session.get(Resident, upload_row.resident_id).locale = "es"
        session.commit()
    run_background(sandbox_hub)
    [received] = inbox(sandbox_client, maria)
    assert received["locale"] == "es" and received["title"].startswith("La agencia tiene tu documento")


def test_each_change_is_one_outbox_event_however_often_it_is_seen(sandbox_client, sandbox_hub, sandbox_url, maria):
    response = upload(sandbox_client, maria, pdf())
    run_background(sandbox_hub)
    run_background(sandbox_hub)
    with sandbox_hub.session() as session:
        types = [
            e.payload["status"]
            for e in session.scalars(select(OutboxEvent).where(OutboxEvent.type == "document.status_changed"))
        ]
    assert types == ["received"]
    assert response.status_code == 201
