"""GET /v1/me as each persona sees it, and linking when the person index is down."""

from __future__ import annotations

from sqlalchemy import select

from services.identity.linking import link_records_job
from services.identity.person_index import PersonIndex
from services.models.identity import Resident, ResidentLink
from tests.factories import sign_in
from tests.problem_assertions import assert_problem


def test_maria_is_linked_on_her_first_sign_in(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    me = sandbox_client.get("/v1/me", headers=maria.headers).get_json()
    assert me["name"] == "Maria Lopez" and me["email"] == "maria.lopez@example.com" and me["locale"] == "en"
    assert me["identity_verified"] is True and me["identity_verification"]["status"] == "verified"
    assert {(link["agency"], link["method"], link["shared"]) for link in me["links"]} == {
        ("DHS", "mpi", True),
        ("HFS", "mpi", True),
    }
    assert me["record_search"]["status"] == "found"
    assert "birthdate" not in str(me) and "4821" not in str(me) and "record_id" not in str(me)
    links = db_session.scalars(select(ResidentLink)).all()
    assert {(link.agency, link.record_id, link.platform_person_id) for link in links} == {
        ("DHS", "IES100200301", "PER000000011"),
        ("HFS", "hfs-300400501", "PER000000011"),
    }


def test_signing_in_again_relinks_nothing_twice(sandbox_client, sandbox_url, db_session):
    sign_in(sandbox_client, sandbox_url, "maria")
    sign_in(sandbox_client, sandbox_url, "maria")
    assert len(db_session.scalars(select(ResidentLink)).all()) == 2
    assert len(db_session.scalars(select(Resident)).all()) == 1


def test_lee_is_told_that_identity_verification_is_needed(sandbox_client, sandbox_url, db_session):
    lee = sign_in(sandbox_client, sandbox_url, "lee")
    me = sandbox_client.get("/v1/me", headers=lee.headers).get_json()
    assert me["identity_verified"] is False and me["links"] == []
    verification = me["identity_verification"]
    assert verification["status"] == "needed"
    assert "cannot show any case information" in verification["message"]
    assert "Verify your identity" in verification["next_step"]
    assert me["record_search"]["status"] == "not_applicable"
    resident = db_session.scalar(select(Resident))
    assert resident.birthdate_encrypted is None and resident.ssn_last4_encrypted is None


def test_ana_reads_the_explanation_in_spanish(sandbox_client, sandbox_url):
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    me = sandbox_client.get("/v1/me", headers=ana.headers).get_json()
    # one Spanish register, the informal "tú" of every other text (it said "Su identidad" in the formal one)
    assert me["locale"] == "es" and me["identity_verification"]["message"].startswith("Tu identidad")
    assert {link["agency"] for link in me["links"]} == {"HFS", "AGING"}


def test_sam_is_verified_but_has_no_links(sandbox_client, sandbox_url):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    me = sandbox_client.get("/v1/me", headers=sam.headers).get_json()
    assert me["identity_verified"] is True and me["links"] == []
    assert me["record_search"]["status"] == "none_found"


def test_an_unreachable_person_index_does_not_fail_sign_in(sandbox_client, sandbox_url, sandbox_hub, db_session):
    sandbox_hub.person_index = PersonIndex("http://127.0.0.1:9/platform", "key", timeout=0.5)
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    me = sandbox_client.get("/v1/me", headers=maria.headers).get_json()
    assert me["links"] == [] and me["record_search"]["status"] == "retrying"
    # the index is back: the background job (periodic sweep) links her
    del sandbox_hub.person_index
    sandbox_hub.runner.submit(link_records_job)
    sandbox_hub.runner.run_pending()
    me = sandbox_client.get("/v1/me", headers=maria.headers).get_json()
    assert {link["agency"] for link in me["links"]} == {"DHS", "HFS"}
    assert me["record_search"]["status"] == "found"


def test_a_platform_that_rejects_the_hub_is_recorded_and_retried_on_next_sign_in(
    sandbox_client, sandbox_url, sandbox_hub
):
    sandbox_hub.person_index = PersonIndex(f"{sandbox_url}/platform", "wrong-key")
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert sandbox_client.get("/v1/me", headers=maria.headers).get_json()["record_search"]["status"] == "retrying"
    del sandbox_hub.person_index
    again = sign_in(sandbox_client, sandbox_url, "maria")
    assert len(sandbox_client.get("/v1/me", headers=again.headers).get_json()["links"]) == 2


def test_me_needs_a_resident_token(sandbox_client):
    assert_problem(sandbox_client.get("/v1/me"), 401)
