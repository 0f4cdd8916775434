"""Consent per agency: revoking hides that agency's data from every read; granting again restores it."""

from __future__ import annotations

from sqlalchemy import select

from services.models.identity import Consent, Resident
from services.visibility import visibility_of
from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem


def shared_agencies(session, resident_id: str) -> set[str]:
    return set(visibility_of(session, resident_id).shown)


def consent_granted(session, resident_id: str, agency: str) -> bool:
    return visibility_of(session, resident_id).shares(agency)


def _links(client, signed) -> dict[str, bool]:
    return {link["agency"]: link["shared"] for link in client.get("/v1/me", headers=signed.headers).get_json()["links"]}


def test_every_agency_is_shared_by_default(sandbox_client, sandbox_url):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    body = sandbox_client.get("/v1/me/consents", headers=maria.headers).get_json()
    assert [(c["agency"], c["granted"], c["linked"]) for c in body["data"]] == [
        ("DHS", True, True),
        ("HFS", True, True),
        ("AGING", True, False),
        ("DCEO", True, False),
        ("DEC", True, False),
    ]
    assert body["meta"]["next_cursor"] is None


def test_revoking_hides_an_agency_and_granting_restores_it(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    resident_id = sandbox_client.get("/v1/me", headers=maria.headers).get_json()["id"]
    assert shared_agencies(db_session, resident_id) == {"DHS", "HFS"}

    response = sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=maria.headers)
    assert response.status_code == 200 and response.get_json()["granted"] is False
    assert shared_agencies(db_session, resident_id) == {"DHS"}
    assert consent_granted(db_session, resident_id, "HFS") is False
    assert _links(sandbox_client, maria) == {"DHS": True, "HFS": False}

    sandbox_client.put("/v1/me/consents/hfs", json={"granted": True}, headers=maria.headers)
    assert shared_agencies(db_session, resident_id) == {"DHS", "HFS"}
    assert _links(sandbox_client, maria) == {"DHS": True, "HFS": True}
    assert len(db_session.scalars(select(Consent)).all()) == 1


def test_one_residents_choice_does_not_touch_anothers(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=maria.headers)
    assert _links(sandbox_client, ana) == {"HFS": True, "AGING": True}


def test_bad_input_is_named_and_changes_nothing(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert_problem(
        sandbox_client.put("/v1/me/consents/HFS", json={"granted": "no"}, headers=maria.headers), 422, field="granted"
    )
    assert_problem(sandbox_client.put("/v1/me/consents/HFS", json={}, headers=maria.headers), 422, field="granted")
    assert_problem(sandbox_client.put("/v1/me/consents/NASA", json={"granted": False}, headers=maria.headers), 404)
    assert db_session.scalars(select(Consent)).all() == []


def test_consent_routes_refuse_staff_and_anonymous_callers(sandbox_client, sandbox_url, db_session):
    sign_in(sandbox_client, sandbox_url, "maria")
    omar = sign_in_staff(sandbox_client, sandbox_url, "omar")
    assert_problem(sandbox_client.get("/v1/me/consents", headers=omar.headers), 401)
    assert_problem(sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}, headers=omar.headers), 401)
    assert_problem(sandbox_client.put("/v1/me/consents/HFS", json={"granted": False}), 401)
    resident = db_session.scalar(select(Resident))
    assert shared_agencies(db_session, resident.id) == {"DHS", "HFS"}


def test_numbers_are_not_booleans_and_change_nothing(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    for value in (0, 1, 0.0, "false", "true"):
        response = sandbox_client.put("/v1/me/consents/HFS", json={"granted": value}, headers=maria.headers)
        assert_problem(response, 422, field="granted")
    assert db_session.scalars(select(Consent)).all() == []
    assert _links(sandbox_client, maria) == {"DHS": True, "HFS": True}
