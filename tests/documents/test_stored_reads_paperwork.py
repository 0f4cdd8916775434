"""Stored reads (``services.benefits.documents``) and paperwork: a first page of ``/v1/me/benefits`` and
``/v1/me/actions`` served from the stored document shows each source's maintenance window (computed at serve
time, so it moves with the clock without a render) and what was sent for an action with its current status (the
document is rendered again in the transaction that creates an upload or moves its status), byte for byte as the
full read shows them."""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy import delete, select

from services import clock
from services.models.benefits import ResidentView
from services.models.documents import DocumentUpload
from services.platform.maintenance import refresh_maintenance
from tests.documents.conftest import run_background, upload
from tests.documents.files import pdf

PATHS = ("/v1/me/benefits", "/v1/me/actions")


def _views(hub, resident_id) -> dict[str, dict]:
    with hub.session() as session:
        rows = session.scalars(select(ResidentView).where(ResidentView.resident_id == resident_id))
        return {row.locale: orjson.loads(row.document) for row in rows}


def _full_reads(client, hub, resident_id, headers) -> dict[str, bytes]:
    """Each path answered by the full read: the stored documents are removed first (a read that finds none takes
    the full path and only queues their render)."""
    answers = {}
    for path in PATHS:
        with hub.session() as session:
            session.execute(delete(ResidentView).where(ResidentView.resident_id == resident_id))
            session.commit()
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert not _views(hub, resident_id), "the full read wrote a document"
        answers[path] = response.get_data()
    hub.runner.run_pending()  # the queued renders
    hub.runner.pending.clear()
    assert _views(hub, resident_id)
    return answers


def _stored_reads(client, hub, resident_id, headers) -> dict[str, bytes]:
    assert _views(hub, resident_id), "no stored document to serve from"
    answers = {}
    for path in PATHS:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        answers[path] = response.get_data()
    hub.runner.pending.clear()  # background refreshes a stale source asks for are not under test here
    return answers


def _sent(body: bytes, action_id: str) -> list[dict]:
    data = orjson.loads(body)["data"]
    return next(a for a in data if a["id"] == action_id)["documents"]


def _dec_window(body: bytes) -> dict | None:
    return next(s for s in orjson.loads(body)["meta"]["sources"] if s["agency"] == "DEC")["maintenance"]


def test_the_stored_read_shows_maintenance_and_an_uploads_status_as_the_full_read_does(
    sandbox_client, sandbox_hub, maria
):
    assert refresh_maintenance(sandbox_hub) == 1
    response = upload(sandbox_client, maria, pdf(), "paystub.pdf")
    assert response.status_code == 201, response.get_data(as_text=True)
    with sandbox_hub.session() as session:
        resident_id = session.get(DocumentUpload, response.get_json()["id"]).resident_id
    assert all("submitted" in orjson.dumps(doc).decode() for doc in _views(sandbox_hub, resident_id).values())
    run_background(sandbox_hub)  # forwarded: received, with the agency's tracking number
    assert all("received" in orjson.dumps(doc).decode() for doc in _views(sandbox_hub, resident_id).values()), (
        "the status change did not render the stored documents again"
    )

    clock.set_now(clock.now())  # one instant for both reads' freshness and maintenance wording
    stored = _stored_reads(sandbox_client, sandbox_hub, resident_id, maria.headers)
    [sent] = _sent(stored["/v1/me/actions"], maria.action_id)
    assert sent["status"] == "received" and sent["tracking_number"] and sent["filename"] == "paystub.pdf"
    window = _dec_window(stored["/v1/me/benefits"])
    assert window is not None and window["message"].startswith("DEC's systems will be down")
    assert _dec_window(stored["/v1/me/actions"]) == window
    assert stored == _full_reads(sandbox_client, sandbox_hub, resident_id, maria.headers)

    # Within the window: the stored document is not rendered again, yet its read says so, as the full read does.
    clock.set_now(dt.datetime.fromisoformat(window["starts_at"]) + dt.timedelta(minutes=1))
    during = _stored_reads(sandbox_client, sandbox_hub, resident_id, maria.headers)
    assert _dec_window(during["/v1/me/benefits"])["message"] != window["message"]
    assert during == _full_reads(sandbox_client, sandbox_hub, resident_id, maria.headers)
