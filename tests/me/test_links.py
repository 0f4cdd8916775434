"""POST /v1/me/links: link a record the person index could not match, with a case number and letter code."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.models.identity import ResidentLink
from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem


def _letter(sandbox_url: str, persona: str, agency: str) -> dict:
    letters = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": persona}).json()["letters"]
    return next(letter for letter in letters if letter["agency"] == agency)


def test_a_letter_code_links_a_record_once(sandbox_client, sandbox_url, db_session):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    letter = _letter(sandbox_url, "james", "DCEO")
    body = {"agency": "DCEO", "case_number": letter["case_number"], "letter_code": letter["letter_code"].lower()}
    created = sandbox_client.post("/v1/me/links", json=body, headers=sam.headers)
    assert created.status_code == 201
    assert created.get_json()["method"] == "letter_code" and created.get_json()["shared"] is True
    again = sandbox_client.post("/v1/me/links", json=body, headers=sam.headers)
    assert again.status_code == 200 and again.get_json()["id"] == created.get_json()["id"]
    [link] = db_session.scalars(select(ResidentLink)).all()
    assert (link.agency, link.record_id, link.method) == ("DCEO", letter["record_id"], "letter_code")
    me = sandbox_client.get("/v1/me", headers=sam.headers).get_json()
    assert [item["agency"] for item in me["links"]] == ["DCEO"]


def test_a_record_already_found_by_the_index_is_not_linked_twice(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    letter = _letter(sandbox_url, "maria", "HFS")
    response = sandbox_client.post("/v1/me/links", headers=maria.headers, json={
        "agency": "HFS", "case_number": letter["case_number"], "letter_code": letter["letter_code"]})
    assert response.status_code == 200 and response.get_json()["method"] == "mpi"
    assert len(db_session.scalars(select(ResidentLink)).all()) == 2


def test_a_wrong_code_is_not_found_and_links_nothing(sandbox_client, sandbox_url, db_session):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    letter = _letter(sandbox_url, "james", "DCEO")
    response = sandbox_client.post("/v1/me/links", headers=sam.headers, json={
        "agency": "DCEO", "case_number": letter["case_number"], "letter_code": "ZZZZ-0000"})
    assert_problem(response, 404)
    assert db_session.scalars(select(ResidentLink)).all() == []


def test_bad_input_is_named(sandbox_client, sandbox_url, db_session):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    good = {"agency": "DCEO", "case_number": "512004471", "letter_code": "ABCD-1234"}
    for field, value in (("agency", "NASA"), ("case_number", "1"), ("letter_code", "12")):
        response = sandbox_client.post("/v1/me/links", headers=sam.headers, json={**good, field: value})
        assert_problem(response, 422, field=field)
    assert_problem(sandbox_client.post("/v1/me/links", headers=sam.headers, json={}), 422, field="letter_code")
    assert db_session.scalars(select(ResidentLink)).all() == []


def test_residents_without_verified_identity_cannot_link(sandbox_client, sandbox_url, db_session):
    lee = sign_in(sandbox_client, sandbox_url, "lee")
    letter = _letter(sandbox_url, "lee", "DEC")
    response = sandbox_client.post("/v1/me/links", headers=lee.headers, json={
        "agency": "DEC", "case_number": letter["case_number"], "letter_code": letter["letter_code"]})
    body = assert_problem(response, 403)
    assert body["type"].endswith("identity-verification-required")
    assert db_session.scalars(select(ResidentLink)).all() == []


def test_links_refuse_staff_and_anonymous_callers(sandbox_client, sandbox_url):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    body = {"agency": "DCEO", "case_number": "512004471", "letter_code": "ABCD-1234"}
    assert_problem(sandbox_client.post("/v1/me/links", json=body, headers=sophie.headers), 401)
    assert_problem(sandbox_client.post("/v1/me/links", json=body), 401)
