"""POST /v1/me/links: a case number and its letter code link a record only for the person the case belongs to.

The letter proves the resident holds the mail; the person index must also match the resident's verified
identity to the case's person, or the agency must confirm the resident's own verified date of birth for it.
"""

from __future__ import annotations

import httpx
import jwt
import pytest

from services.audit import verify_chain
from services.identity.app_registry import ensure_app_clients
from services.identity.person_index import PersonIndex
from tests.factories import sign_in, sign_in_staff
from tests.problem_assertions import assert_problem
from tests.resident.links import BIRTHDATES, failures, letter, link, link_events, links_of, resident_id

# -- the person a case belongs to links it ------------------------------------------------------------------------


def test_grace_links_her_case_with_the_letter_and_her_date_of_birth(sandbox_client, sandbox_url, db_session):
    """The index cannot match grace (proofed under her married name); the agency confirms her birthday."""
    grace = sign_in(sandbox_client, sandbox_url, "grace")
    assert sandbox_client.get("/v1/me", headers=grace.headers).get_json()["links"] == []
    snap = letter(sandbox_url, "grace", "DHS")
    proof_needed = assert_problem(link(sandbox_client, grace, snap), 403)
    assert proof_needed["type"].endswith("/link-proof-required") and "birthdate" in proof_needed["detail"]
    created = link(sandbox_client, grace, snap, birthdate=BIRTHDATES["grace"], letter_code=snap["letter_code"].lower())
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert (body["agency"], body["method"], body["proof"], body["shared"]) == ("DHS", "letter_code", "birthdate", True)
    again = link(sandbox_client, grace, snap, birthdate=BIRTHDATES["grace"])
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    [stored] = links_of(db_session)
    assert (stored.record_id, stored.platform_person_id, stored.proof) == ("IES100200907", "PER000000066", "birthdate")
    benefits = sandbox_client.get("/v1/me/benefits", headers=grace.headers).get_json()
    assert [b["program"]["code"] for b in benefits["data"]] == ["SNAP"]


def test_a_case_the_index_matches_to_the_resident_needs_no_birthdate(
    sandbox_client, sandbox_url, sandbox_hub, db_session
):
    """james signed in while the index was down, so nothing was linked; his letter links his case at once."""
    working = sandbox_hub.person_index
    sandbox_hub.person_index = PersonIndex("http://127.0.0.1:9/platform", "k", timeout=0.5)
    james = sign_in(sandbox_client, sandbox_url, "james")
    sandbox_hub.person_index = working
    assert links_of(db_session) == []
    created = link(sandbox_client, james, letter(sandbox_url, "james", "DCEO"))
    assert created.status_code == 201, created.get_data(as_text=True)
    assert (created.get_json()["method"], created.get_json()["proof"]) == ("letter_code", "identity")
    # his other case: the index already tied his account to this person, proof is inherited
    second = link(sandbox_client, james, letter(sandbox_url, "james", "DHS"))
    assert second.status_code == 201 and second.get_json()["proof"] == "identity"


def test_a_record_already_found_by_the_index_is_not_linked_twice(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    response = link(sandbox_client, maria, letter(sandbox_url, "maria", "HFS"))
    assert response.status_code == 200 and response.get_json()["method"] == "mpi"
    assert [x.proof for x in links_of(db_session)] == ["identity", "identity"]


# -- someone else's case is never linked ----------------------------------------------------------------------


def test_holding_someone_elses_letter_links_nothing(sandbox_client, sandbox_url, db_session):
    """The finding: sam, verified, holding james's letter, linked james's case. Now every way is refused."""
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    sam_id = resident_id(sandbox_client, sam)
    liheap = letter(sandbox_url, "james", "DCEO")
    assert_problem(link(sandbox_client, sam, liheap), 403)
    not_his = assert_problem(link(sandbox_client, sam, liheap, birthdate=BIRTHDATES["sam"]), 403)
    assert not_his["type"].endswith("/link-not-proven")
    # knowing james's birthday does not help: it is not sam's own, and it is never sent to the agency
    knows = assert_problem(link(sandbox_client, sam, liheap, birthdate=BIRTHDATES["james"]), 403)
    assert knows["detail"] == not_his["detail"]
    assert "1979" not in str(knows)
    assert links_of(db_session) == []
    assert sandbox_client.get("/v1/me/benefits", headers=sam.headers).get_json()["data"] == []
    assert [f.kind for f in failures(db_session)] == ["proof_required", "not_proven", "not_proven"]
    assert all(f.resident_id == sam_id for f in failures(db_session))


def test_james_cannot_link_marias_medicaid(sandbox_client, sandbox_url, db_session):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    james = sign_in(sandbox_client, sandbox_url, "james")
    medicaid = letter(sandbox_url, "maria", "HFS")
    for extra in ({}, {"birthdate": BIRTHDATES["james"]}, {"birthdate": BIRTHDATES["maria"]}):
        assert link(sandbox_client, james, medicaid, **extra).status_code == 403
    assert {x.agency for x in links_of(db_session, resident_id(sandbox_client, james))} == {"DHS", "DCEO"}
    sources = sandbox_client.get("/v1/me/benefits", headers=james.headers).get_json()["meta"]["sources"]
    assert next(s for s in sources if s["agency"] == "HFS")["status"] == "not_linked"
    assert len(links_of(db_session, resident_id(sandbox_client, maria))) == 2


def _verified_residents_with_letters(sandbox_url: str, wanted: int) -> list[tuple[str, dict]]:
    found = []
    for n in range(1, 21):
        handle = f"resident-{n}"
        letters = httpx.get(f"{sandbox_url}/platform/sim/letters", params={"persona": handle}).json()["letters"]
        token = httpx.post(f"{sandbox_url}/idp/test-login", json={"persona": handle}).json()["id_token"]
        claims = jwt.decode(token, options={"verify_signature": False})
        if letters and "ssn_last4" in claims:
            found.append((handle, {**letters[0], "birthdate": claims["birthdate"]}))
        if len(found) == wanted:
            return found
    pytest.skip("the sandbox population has too few verified residents with records")


def test_two_generated_residents_cannot_link_each_others_cases(sandbox_client, sandbox_url, db_session):
    (first, first_letter), (second, second_letter) = _verified_residents_with_letters(sandbox_url, 2)
    a, b = sign_in(sandbox_client, sandbox_url, first), sign_in(sandbox_client, sandbox_url, second)
    before = {x.id for x in links_of(db_session)}
    for signed, other in ((a, second_letter), (b, first_letter)):
        for extra in ({}, {"birthdate": other["birthdate"]}):
            assert link(sandbox_client, signed, other, **extra).status_code == 403
    assert {x.id for x in links_of(db_session)} == before


def test_a_case_linked_to_another_account_is_refused_clearly(sandbox_client, sandbox_url, sandbox_hub, db_session):
    """grace with two accounts (two apps, pairwise subjects): the second cannot take the case by letter too."""
    with sandbox_hub.session() as session:
        ensure_app_clients(session, (("county-app", "County app", "resident"),))
    first = sign_in(sandbox_client, sandbox_url, "grace")
    snap = letter(sandbox_url, "grace", "DHS")
    assert link(sandbox_client, first, snap, birthdate=BIRTHDATES["grace"]).status_code == 201
    second = sign_in(sandbox_client, sandbox_url, "grace", client_id="county-app")
    assert resident_id(sandbox_client, second) != resident_id(sandbox_client, first)
    body = assert_problem(link(sandbox_client, second, snap, birthdate=BIRTHDATES["grace"]), 409)
    assert body["type"].endswith("/case-linked-elsewhere") and "another account" in body["detail"]
    assert [x.resident_id for x in links_of(db_session)] == [resident_id(sandbox_client, first)]


# -- input, tokens, unverified residents, audit -----------------------------------------------------------------


def test_a_wrong_code_is_not_found_and_links_nothing(sandbox_client, sandbox_url, db_session):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    liheap = letter(sandbox_url, "james", "DCEO")
    for extra in ({}, {"birthdate": BIRTHDATES["sam"]}):
        body = assert_problem(link(sandbox_client, sam, {**liheap, "letter_code": "ZZZZ-0000"}, **extra), 404)
        assert "case number and letter code" in body["detail"]
    unknown = assert_problem(link(sandbox_client, sam, {**liheap, "case_number": "999999999"}), 404)
    assert unknown["detail"] == body["detail"]  # an unknown case and a wrong code are told apart by nothing
    assert links_of(db_session) == []
    assert [f.kind for f in failures(db_session)] == ["wrong_code"] * 3


def test_bad_input_is_named(sandbox_client, sandbox_url, db_session):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    good = {"agency": "DCEO", "case_number": "512004471", "letter_code": "ABCD-1234"}
    for field, value in (
        ("agency", "NASA"),
        ("case_number", "1"),
        ("letter_code", "12"),
        ("birthdate", "1990-13-01"),
        ("birthdate", "21/06/1990"),
        ("birthdate", 19900621),
    ):
        response = sandbox_client.post("/v1/me/links", headers=sam.headers, json={**good, field: value})
        assert_problem(response, 422, field=field)
    assert_problem(sandbox_client.post("/v1/me/links", headers=sam.headers, json={}), 422, field="letter_code")
    assert links_of(db_session) == [] and failures(db_session) == []


def test_residents_without_verified_identity_cannot_link(sandbox_client, sandbox_url, db_session):
    lee = sign_in(sandbox_client, sandbox_url, "lee")
    response = link(sandbox_client, lee, letter(sandbox_url, "lee", "DEC"))
    body = assert_problem(response, 403)
    assert body["type"].endswith("identity-verification-required")
    assert links_of(db_session) == []
    [event] = link_events(db_session)
    assert (event.outcome, event.fields[-1]) == ("denied", "refused:not_verified")


def test_links_refuse_staff_and_anonymous_callers(sandbox_client, sandbox_url, db_session):
    sophie = sign_in_staff(sandbox_client, sandbox_url, "sophie")
    body = {"agency": "DCEO", "case_number": "512004471", "letter_code": "ABCD-1234"}
    assert_problem(sandbox_client.post("/v1/me/links", json=body, headers=sophie.headers), 401)
    assert_problem(sandbox_client.post("/v1/me/links", json=body), 401)
    assert link_events(db_session) == [] and failures(db_session) == []


def test_every_link_and_every_refused_attempt_is_audited(sandbox_client, sandbox_url, db_session):
    grace, sam = sign_in(sandbox_client, sandbox_url, "grace"), sign_in(sandbox_client, sandbox_url, "sam")
    snap = letter(sandbox_url, "grace", "DHS")
    link(sandbox_client, sam, snap)  # someone else's case
    link(sandbox_client, sam, {**snap, "letter_code": "ZZZZ-0000"})  # a wrong code
    link(sandbox_client, grace, snap, birthdate=BIRTHDATES["grace"])  # hers
    events = link_events(db_session)
    assert [(e.actor_kind, e.outcome, e.fields) for e in events] == [
        ("resident", "denied", ["agency:DHS", "refused:proof_required"]),
        ("resident", "denied", ["agency:DHS", "refused:wrong_code"]),
        ("resident", "allowed", ["agency:DHS", "proof:birthdate"]),
    ]
    sam_id, grace_id = resident_id(sandbox_client, sam), resident_id(sandbox_client, grace)
    assert [(e.actor_id, e.resident_id) for e in events] == [(sam_id, sam_id)] * 2 + [(grace_id, grace_id)]
    assert all(e.route == "POST /v1/me/links" and e.request_id for e in events)
    assert verify_chain(db_session).ok
    # a resident's own link attempts are not "someone else looked at your data"
    assert sandbox_client.get("/v1/me/access-log", headers=sam.headers).get_json()["data"] == []


def test_an_index_that_does_not_answer_is_a_503_and_counts_nothing(
    sandbox_client, sandbox_url, sandbox_hub, db_session
):
    sam = sign_in(sandbox_client, sandbox_url, "sam")
    sandbox_hub.person_index = PersonIndex("http://127.0.0.1:9/platform", "k", timeout=0.5)
    assert_problem(link(sandbox_client, sam, letter(sandbox_url, "james", "DCEO")), 503)
    assert failures(db_session) == []
    [event] = link_events(db_session)
    assert (event.outcome, event.fields[-1]) == ("error", "refused:index_unavailable")
