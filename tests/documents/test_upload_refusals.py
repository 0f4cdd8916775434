"""Every refusal of an upload is a 4xx problem naming what is wrong, and stores nothing: no row, no file."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from services.models.documents import DocumentUpload
from tests.documents.conftest import upload
from tests.documents.files import pdf, photo
from tests.factories import sign_in_staff
from tests.problem_assertions import assert_problem


def nothing_stored(hub) -> None:
    with hub.session() as session:
        assert session.scalar(select(func.count()).select_from(DocumentUpload)) == 0
    assert list(hub.document_store.keys()) == []
    signing_in = "representation.discover"  # every sign-in asks the platform for agency-recorded designations
    assert [job for job in hub.runner.pending if job[0] != signing_in] == []


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payslip.txt", "not a pdf")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "words"),
    [
        (b"", "empty.pdf", "empty"),
        (b"just some text, named like a PDF", "proof.pdf", "PDF, JPEG or PNG"),
        (a_zip(), "proof.pdf", "PDF, JPEG or PNG"),
        (b"GIF89a" + b"\x00" * 64, "proof.gif", "PDF, JPEG or PNG"),
        (pdf(password="secret"), "locked.pdf", "password"),
        (b"%PDF-1.7\n1 0 obj <</Type /Catalog>> broken", "broken.pdf", "damaged"),
        (photo(kind="JPEG")[:400], "cut.jpg", "damaged"),
    ],
    ids=["empty", "text", "zip-named-pdf", "gif", "encrypted-pdf", "malformed-pdf", "truncated-jpeg"],
)
def test_a_file_that_cannot_be_taken_is_a_422_naming_file(sandbox_client, sandbox_hub, maria, content, filename, words):
    body = assert_problem(upload(sandbox_client, maria, content, filename), 422, field="file")
    assert words in body["detail"]
    nothing_stored(sandbox_hub)


def test_no_file_part_and_two_file_parts_are_422s_naming_file(sandbox_client, sandbox_hub, maria):
    url = f"/v1/me/actions/{maria.action_id}/documents"
    response = sandbox_client.post(url, data={"other": "x"}, content_type="multipart/form-data", headers=maria.headers)
    assert_problem(response, 422, field="file")
    two = {"file": [(io.BytesIO(pdf()), "a.pdf"), (io.BytesIO(pdf()), "b.pdf")]}
    response = sandbox_client.post(url, data=two, content_type="multipart/form-data", headers=maria.headers)
    assert_problem(response, 422, field="file")
    nothing_stored(sandbox_hub)


def test_a_json_body_is_a_415(sandbox_client, sandbox_hub, maria):
    response = sandbox_client.post(
        f"/v1/me/actions/{maria.action_id}/documents", json={"file": "JVBERi0x"}, headers=maria.headers
    )
    assert_problem(response, 415)
    nothing_stored(sandbox_hub)


def test_more_than_10_mb_is_a_413_naming_file(sandbox_client, sandbox_hub, maria):
    big = pdf() + b"%" + b"0" * (10 * 1024 * 1024)
    assert_problem(upload(sandbox_client, maria, big, "big.pdf"), 413, field="file")
    nothing_stored(sandbox_hub)


def test_a_body_announcing_more_than_the_limit_is_refused_before_it_is_read(sandbox_client, sandbox_hub, maria):
    class Endless(io.RawIOBase):
        read_so_far = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Endless.read_so_far += len(buffer)
            buffer[:] = b"0" * len(buffer)
            return len(buffer)

    response = sandbox_client.post(
        f"/v1/me/actions/{maria.action_id}/documents",
        content_type="multipart/form-data; boundary=x",
        headers=maria.headers,
        environ_overrides={"wsgi.input": Endless(), "CONTENT_LENGTH": str(50 * 1024 * 1024)},
    )
    assert_problem(response, 413, field="file")
    assert Endless.read_so_far == 0
    nothing_stored(sandbox_hub)


def test_an_upload_cut_off_mid_body_stores_nothing(sandbox_client, sandbox_hub, maria):
    boundary = "----cut"
    whole = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    statuses = []
    for headers in ({}, {"Idempotency-Key": "cut-off-upload-1"}):
        response = sandbox_client.post(
            f"/v1/me/actions/{maria.action_id}/documents",
            input_stream=io.BytesIO(whole[: len(whole) // 2]),
            content_type=f"multipart/form-data; boundary={boundary}",
            headers={**maria.headers, **headers, "Content-Length": str(len(whole))},
        )
        statuses.append(response.status_code)
        assert_problem(response, 422, field="file")  # the parser drops an unfinished part: no file arrived
    assert statuses == [422, 422]
    nothing_stored(sandbox_hub)


def test_an_interview_action_takes_no_documents_422_naming_action_id(sandbox_client, sandbox_hub, james):
    assert_problem(upload(sandbox_client, james, pdf()), 422, field="action_id")
    nothing_stored(sandbox_hub)


def test_a_bad_idempotency_key_is_a_422_naming_the_header(sandbox_client, sandbox_hub, maria):
    response = upload(sandbox_client, maria, pdf(), headers={"Idempotency-Key": "no spaces allowed"})
    assert_problem(response, 422, field="Idempotency-Key")
    nothing_stored(sandbox_hub)


def test_at_most_five_files_per_action_and_a_rejected_one_frees_its_place(sandbox_client, sandbox_hub, maria):
    for number in range(5):
        assert upload(sandbox_client, maria, pdf(number + 1), f"page{number}.pdf").status_code == 201
    body = assert_problem(upload(sandbox_client, maria, pdf(), "sixth.pdf"), 409, field="file")
    assert "5 files" in body["detail"]
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).select_from(DocumentUpload)) == 5
        session.scalars(select(DocumentUpload)).first().status = "rejected"
        session.commit()
    assert upload(sandbox_client, maria, pdf(), "sixth.pdf").status_code == 201


def test_the_same_idempotency_key_gives_the_same_receipt_and_stores_once(sandbox_client, sandbox_hub, maria):
    content, key = pdf(), {"Idempotency-Key": "upload-proof-0001"}
    first = upload(sandbox_client, maria, content, headers=key)
    again = upload(sandbox_client, maria, content, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["receipt_number"] == first.get_json()["receipt_number"]
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).select_from(DocumentUpload)) == 1
    assert len(list(sandbox_hub.document_store.keys())) == 1


def test_another_residents_action_and_documents_are_404s(sandbox_client, sandbox_hub, maria, james):
    sent = upload(sandbox_client, maria, pdf()).get_json()
    # james tries maria's action, her document and its file: the same 404 as for nothing at all
    body = assert_problem(upload(sandbox_client, james, pdf(), action_id=maria.action_id), 404)
    assert maria.action_id not in body["detail"]
    for path in (f"/v1/me/documents/{sent['id']}", f"/v1/me/documents/{sent['id']}/file"):
        assert_problem(sandbox_client.get(path, headers=james.headers), 404)
        assert_problem(sandbox_client.get(path.replace(sent["id"], "0" * 32), headers=maria.headers), 404)
    assert sandbox_client.get("/v1/me/documents", headers=james.headers).get_json()["data"] == []
    assert_problem(upload(sandbox_client, maria, pdf(), action_id="f" * 32), 404)
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).select_from(DocumentUpload)) == 1


def test_anonymous_and_a_staff_token_are_401_on_every_document_route(sandbox_client, sandbox_hub, sandbox_url, maria):
    sent = upload(sandbox_client, maria, pdf()).get_json()
    staff = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    calls = [
        ("post", f"/v1/me/actions/{maria.action_id}/documents"),
        ("get", "/v1/me/documents"),
        ("get", f"/v1/me/documents/{sent['id']}"),
        ("get", f"/v1/me/documents/{sent['id']}/file"),
    ]
    for method, path in calls:
        kwargs = {"data": {"file": (io.BytesIO(pdf()), "p.pdf")}, "content_type": "multipart/form-data"}
        kwargs = kwargs if method == "post" else {}
        assert_problem(getattr(sandbox_client, method)(path, **kwargs), 401)
        kwargs = {"data": {"file": (io.BytesIO(pdf()), "p.pdf")}, "content_type": "multipart/form-data"}
        kwargs = kwargs if method == "post" else {}
        refused = assert_problem(getattr(sandbox_client, method)(path, headers=staff.headers, **kwargs), 401)
        assert "resident app's access token" in refused["detail"]
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).select_from(DocumentUpload)) == 1
