"""Rosa does the paperwork for the person: sends maria's proof of income for her DHS document request and books
james's SNAP interview, through ``/v1/me/represented/{id}/actions/{action_id}/…``, under the person's own rules
(content sniffing, size, idempotency; the agency's times); each act is in the person's access log. An action
outside the designation, someone else's, bad input and the wrong token are refused, storing nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from services.models.audit import AuditEvent
from services.models.documents import DocumentUpload, InterviewAppointment
from tests.acting_for.conftest import designate, end
from tests.documents.conftest import first_action
from tests.documents.files import pdf
from tests.factories import create_signed_in_resident, create_staff, sign_in
from tests.problem_assertions import assert_problem


def _resident_id(client, who) -> str:
    return client.get("/v1/me", headers=who.headers).get_json()["id"]


def _count(hub, model) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _send(client, headers, designation_id, action_id, content: bytes, filename="proof.pdf", **extra):
    return client.post(
        f"/v1/me/represented/{designation_id}/actions/{action_id}/documents",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        headers={**headers, **extra},
    )


@pytest.fixture
def maria(sandbox_client, sandbox_url):
    who = sign_in(sandbox_client, sandbox_url, "maria")
    return who, _resident_id(sandbox_client, who), first_action(sandbox_client, who, "document")


@pytest.fixture
def rosa(sandbox_hub):
    return create_signed_in_resident(sandbox_hub, given_name="Rosa", locale="en")


def test_rosa_sends_marias_proof_it_is_marias_upload_sent_by_rosa_and_in_marias_log(
    sandbox_client, sandbox_hub, maria, rosa
):
    who, maria_id, action_id = maria
    designation = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    headers = {**rosa.headers, "Idempotency-Key": "rosa-sends-proof-0001"}

    sent = _send(sandbox_client, headers, designation, action_id, pdf())
    again = _send(sandbox_client, headers, designation, action_id, pdf())

    assert sent.status_code == 201, sent.get_data(as_text=True)
    receipt = sent.get_json()
    assert receipt["action_id"] == action_id and receipt["status"] == "submitted"
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == receipt
    with sandbox_hub.session() as session:
        row = session.get(DocumentUpload, receipt["id"])
        assert (row.resident_id, row.uploaded_by, row.agency) == (maria_id, rosa.id, "DHS")
    mine = sandbox_client.get("/v1/me/documents", headers=who.headers).get_json()["data"]
    assert [d["id"] for d in mine] == [receipt["id"]]
    seen = sandbox_client.get(f"/v1/me/represented/{designation}/actions", headers=rosa.headers).get_json()["data"]
    assert [d["id"] for a in seen if a["id"] == action_id for d in a["documents"]] == [receipt["id"]]
    log = sandbox_client.get("/v1/me/access-log", headers=who.headers).get_json()["data"]
    uploads = [entry for entry in log if entry["action"] == "represented.document.upload"]
    assert len(uploads) == 1  # the replay recorded nothing more
    assert uploads[0]["description"].startswith("Rosa, your representative, uploaded a document for you (DHS)")


@pytest.mark.parametrize(
    ("content", "filename"), [(b"", "empty.pdf"), (b"just text named like a PDF", "proof.pdf")], ids=["empty", "text"]
)
def test_a_file_that_cannot_be_taken_is_a_422_naming_file_and_nothing_is_stored(
    sandbox_client, sandbox_hub, maria, rosa, content, filename
):
    _, maria_id, action_id = maria
    designation = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    audit = _count(sandbox_hub, AuditEvent)
    assert_problem(_send(sandbox_client, rosa.headers, designation, action_id, content, filename), 422, field="file")
    missing = sandbox_client.post(
        f"/v1/me/represented/{designation}/actions/{action_id}/documents",
        data={"other": "x"},
        content_type="multipart/form-data",
        headers=rosa.headers,
    )
    assert_problem(missing, 422, field="file")
    assert _count(sandbox_hub, DocumentUpload) == 0 and list(sandbox_hub.document_store.keys()) == []
    assert _count(sandbox_hub, AuditEvent) == audit


def test_an_action_outside_the_designation_or_of_someone_else_is_404_storing_nothing(
    sandbox_client, sandbox_url, sandbox_hub, maria, rosa
):
    _, maria_id, action_id = maria
    hfs_only = designate(sandbox_hub, maria_id, rosa.id, ["HFS"])
    james = sign_in(sandbox_client, sandbox_url, "james")
    james_action = first_action(sandbox_client, james, "interview")
    dhs = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    ended = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    end(sandbox_hub, ended)
    stranger = create_signed_in_resident(sandbox_hub)
    refusals = [
        (rosa.headers, hfs_only, action_id),  # DHS's action, HFS designation
        (rosa.headers, dhs, james_action),  # not maria's action
        (rosa.headers, ended, action_id),
        (stranger.headers, dhs, action_id),  # Rosa's designation, someone else's token
    ]
    for headers, designation, action in refusals:
        body = assert_problem(_send(sandbox_client, headers, designation, action, pdf()), 404)
        assert "Proof of income" not in str(body)
    assert _count(sandbox_hub, DocumentUpload) == 0


def test_the_wrong_kind_of_token_is_401(sandbox_client, sandbox_hub, maria, rosa):
    _, maria_id, action_id = maria
    designation = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    staff = create_staff(sandbox_hub)
    assert_problem(_send(sandbox_client, {}, designation, action_id, pdf()), 401)
    assert_problem(_send(sandbox_client, staff.admin_headers(), designation, action_id, pdf()), 401)
    assert _count(sandbox_hub, DocumentUpload) == 0


# -- interviews -------------------------------------------------------------------------------------------------


@pytest.fixture
def james(sandbox_client, sandbox_url):
    who = sign_in(sandbox_client, sandbox_url, "james")
    return who, _resident_id(sandbox_client, who), first_action(sandbox_client, who, "interview")


def test_rosa_books_james_interview_and_james_log_says_so(sandbox_client, sandbox_hub, james, rosa):
    who, james_id, action_id = james
    designation = designate(sandbox_hub, james_id, rosa.id, ["DHS"])
    base = f"/v1/me/represented/{designation}/actions/{action_id}"

    offered = sandbox_client.get(f"{base}/slots", headers=rosa.headers)
    assert offered.status_code == 200, offered.get_data(as_text=True)
    slots = offered.get_json()["data"]
    own = sandbox_client.get(f"/v1/me/actions/{action_id}/slots", headers=who.headers).get_json()["data"]
    assert slots == own
    booked = sandbox_client.put(
        f"{base}/appointment",
        json={"slot_id": slots[2]["id"]},
        headers={**rosa.headers, "Idempotency-Key": "rosa-books-0001"},
    )
    assert booked.status_code == 200, booked.get_data(as_text=True)
    appointment = booked.get_json()
    assert appointment["starts_at"] == slots[2]["starts_at"]
    assert appointment["calendar_url"] == f"/v1/me/represented/{designation}/appointments/{appointment['id']}.ics"
    calendar = sandbox_client.get(appointment["calendar_url"], headers=rosa.headers)
    assert calendar.status_code == 200 and calendar.mimetype == "text/calendar"
    with sandbox_hub.session() as session:
        assert session.get(InterviewAppointment, appointment["id"]).resident_id == james_id
    actions = [e["action"] for e in sandbox_client.get("/v1/me/access-log", headers=who.headers).get_json()["data"]]
    assert actions[:3] == ["represented.appointment.read", "represented.interview.book", "represented.slots.read"]


def test_booking_bad_input_is_named_and_books_nothing(sandbox_client, sandbox_hub, james, rosa):
    _, james_id, action_id = james
    designation = designate(sandbox_hub, james_id, rosa.id, ["DHS"])
    url = f"/v1/me/represented/{designation}/actions/{action_id}/appointment"
    for body in ({"slot_id": ""}, {}, {"slot_id": "no-such-slot"}):
        assert_problem(sandbox_client.put(url, json=body, headers=rosa.headers), 422, field="slot_id")
    assert _count(sandbox_hub, InterviewAppointment) == 0


def test_booking_outside_the_designation_or_with_the_wrong_token_is_refused(sandbox_client, sandbox_hub, james, rosa):
    _, james_id, action_id = james
    hfs_only = designate(sandbox_hub, james_id, rosa.id, ["HFS"])
    dhs = designate(sandbox_hub, james_id, rosa.id, ["DHS"])
    staff = create_staff(sandbox_hub)
    outside = f"/v1/me/represented/{hfs_only}/actions/{action_id}"
    inside = f"/v1/me/represented/{dhs}/actions/{action_id}"
    assert_problem(sandbox_client.get(f"{outside}/slots", headers=rosa.headers), 404)
    assert_problem(sandbox_client.put(f"{outside}/appointment", json={"slot_id": "x"}, headers=rosa.headers), 404)
    assert_problem(sandbox_client.get(f"{inside}/slots"), 401)
    assert_problem(sandbox_client.put(f"{inside}/appointment", json={"slot_id": "x"}, headers=staff.headers), 401)
    assert_problem(
        sandbox_client.get(f"/v1/me/represented/{hfs_only}/appointments/{'0' * 32}.ics", headers=rosa.headers), 404
    )
    assert _count(sandbox_hub, InterviewAppointment) == 0


def test_slots_for_an_action_that_is_not_an_interview_is_a_422_naming_action_id(
    sandbox_client, sandbox_hub, maria, rosa
):
    _, maria_id, document_action = maria
    designation = designate(sandbox_hub, maria_id, rosa.id, ["DHS"])
    url = f"/v1/me/represented/{designation}/actions/{document_action}/slots"
    assert_problem(sandbox_client.get(url, headers=rosa.headers), 422, field="action_id")


def test_slots_and_the_calendar_file_refuse_someone_elses_designation_and_the_wrong_token(
    sandbox_client, sandbox_hub, james, rosa
):
    who, james_id, action_id = james
    designation = designate(sandbox_hub, james_id, rosa.id, ["DHS"])
    stranger = create_signed_in_resident(sandbox_hub)
    staff = create_staff(sandbox_hub)
    slots = f"/v1/me/represented/{designation}/actions/{action_id}/slots"
    assert_problem(sandbox_client.get(slots, headers=stranger.headers), 404)
    assert_problem(sandbox_client.get(slots, headers=who.headers), 404)  # james is not his own representative
    assert_problem(sandbox_client.get(slots, headers=staff.headers), 401)
    offered = sandbox_client.get(slots, headers=rosa.headers).get_json()["data"]
    booked = sandbox_client.put(
        slots.removesuffix("slots") + "appointment",
        json={"slot_id": offered[0]["id"]},
        headers={**rosa.headers, "Idempotency-Key": "rosa-books-0002"},
    ).get_json()
    calendar = booked["calendar_url"]
    assert_problem(sandbox_client.get(calendar, headers=stranger.headers), 404)
    assert_problem(sandbox_client.get(calendar), 401)
    assert_problem(sandbox_client.get(calendar, headers=staff.headers), 401)
    end(sandbox_hub, designation)
    assert_problem(sandbox_client.get(calendar, headers=rosa.headers), 404)
