"""The master person index: match by verified attributes; link by case number plus the code off a letter."""

from __future__ import annotations

from pathlib import Path

import jwt

from .conftest import PLATFORM


def verified_attributes(client, persona):
    token = client.post("/idp/test-login", json={"persona": persona}).json["id_token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    return {k: claims[k] for k in ("given_name", "family_name", "birthdate", "ssn_last4")}


def test_match_by_the_idps_verified_claims_finds_every_agency_record(client):
    response = client.post("/platform/mpi/match", headers=PLATFORM, json=verified_attributes(client, "maria"))
    assert response.status_code == 200
    assert response.json == {
        "person_id": "PER000000011",
        "records": [{"agency": "DHS", "record_id": "IES100200301"}, {"agency": "HFS", "record_id": "hfs-300400501"}],
    }


def test_match_ignores_case_and_surrounding_spaces_but_not_other_differences(client):
    attributes = verified_attributes(client, "ana")
    shouted = {**attributes, "given_name": " ANA ", "family_name": "morales"}
    assert client.post("/platform/mpi/match", headers=PLATFORM, json=shouted).json["person_id"] == "PER000000033"
    wrong_ssn = {**attributes, "ssn_last4": "0000"}
    assert client.post("/platform/mpi/match", headers=PLATFORM, json=wrong_ssn).status_code == 404


def test_match_rejects_incomplete_attributes(client):
    response = client.post(
        "/platform/mpi/match", headers=PLATFORM, json={"given_name": "Maria", "birthdate": "12/04/1988"}
    )
    assert response.status_code == 422
    assert set(response.json["fields"]) == {"family_name", "ssn_last4", "birthdate"}


def test_generated_residents_match_too(client):
    matched = unknown = 0
    for n in range(1, 40):
        claims = jwt.decode(
            client.post("/idp/test-login", json={"persona": f"resident-{n}"}).json["id_token"],
            options={"verify_signature": False},
        )
        if "ssn_last4" not in claims:
            continue  # basic-assurance residents have nothing to match with
        response = client.post(
            "/platform/mpi/match",
            headers=PLATFORM,
            json={k: claims[k] for k in ("given_name", "family_name", "birthdate", "ssn_last4")},
        )
        letters = client.get(f"/platform/sim/letters?persona=resident-{n}").json
        if response.status_code == 404:  # nobody at any agency has heard of this resident
            assert letters["letters"] == []
            unknown += 1
        else:
            assert response.json["person_id"] == letters["person_id"]
            assert {r["record_id"] for r in response.json["records"]} == {x["record_id"] for x in letters["letters"]}
            matched += 1
    assert matched > 10


def test_link_by_case_number_and_the_letter_code(client):
    letters = client.get("/platform/sim/letters?persona=james").json
    assert letters["person_id"] == "PER000000022"
    snap = next(x for x in letters["letters"] if x["program"] == "SNAP")
    assert snap["case_number"] == "204920118" and len(snap["letter_code"]) == 9
    response = client.post(
        "/platform/mpi/link",
        headers=PLATFORM,
        json={"agency": "DHS", "case_number": "204920118", "letter_code": snap["letter_code"].lower()},
    )
    assert response.status_code == 200
    assert response.json == {"person_id": "PER000000022", "agency": "DHS", "record_id": "IES100200402"}
    again = client.get(f"/platform/sim/letters?person_id={letters['person_id']}").json
    assert again["letters"] == letters["letters"]  # deterministic per case


def test_link_refuses_a_wrong_code_an_unknown_case_or_a_bad_request(client):
    wrong = {"agency": "DHS", "case_number": "204920118", "letter_code": "AAAA-0000"}
    assert client.post("/platform/mpi/link", headers=PLATFORM, json=wrong).json == {
        "error": "no_match",
        "error_description": "no case with that number and letter code",
    }
    elsewhere = client.get("/platform/sim/letters?persona=james").json["letters"][0]["letter_code"]
    assert (
        client.post(
            "/platform/mpi/link",
            headers=PLATFORM,
            json={"agency": "HFS", "case_number": "204920118", "letter_code": elsewhere},
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/platform/mpi/link", headers=PLATFORM, json={"agency": "XYZ", "case_number": "1", "letter_code": "x"}
        ).status_code
        == 422
    )


def test_link_works_for_a_generated_residents_case(client):
    for n in range(1, 60):
        letters = client.get(f"/platform/sim/letters?persona=resident-{n}").json["letters"]
        if letters:
            break
    letter = letters[-1]
    response = client.post(
        "/platform/mpi/link", headers=PLATFORM, json={k: letter[k] for k in ("agency", "case_number", "letter_code")}
    )
    assert response.status_code == 200 and response.json["record_id"] == letter["record_id"]


def test_the_letter_codes_documented_in_feeds_md_are_the_ones_served(client):
    documented = (Path(__file__).resolve().parents[2] / "simulator" / "FEEDS.md").read_text()
    for persona in ("maria", "james", "ana", "lee"):
        for letter in client.get(f"/platform/sim/letters?persona={persona}").json["letters"]:
            assert f"`{letter['case_number']}` | `{letter['letter_code']}`" in documented


def test_link_checks_a_date_of_birth_for_the_cases_person_without_revealing_it(client):
    snap = next(x for x in client.get("/platform/sim/letters?persona=james").json["letters"] if x["program"] == "SNAP")
    body = {"agency": "DHS", "case_number": snap["case_number"], "letter_code": snap["letter_code"]}
    right = client.post("/platform/mpi/link", headers=PLATFORM, json={**body, "birthdate": "1979-09-30"})
    assert right.status_code == 200 and right.json["birthdate_matches"] is True
    wrong = client.post("/platform/mpi/link", headers=PLATFORM, json={**body, "birthdate": "1979-10-01"})
    assert wrong.status_code == 200 and wrong.json["birthdate_matches"] is False
    assert "1979" not in wrong.get_data(as_text=True)
    assert "birthdate_matches" not in client.post("/platform/mpi/link", headers=PLATFORM, json=body).json
    for bad in ("30/09/1979", 19790930, ""):
        response = client.post("/platform/mpi/link", headers=PLATFORM, json={**body, "birthdate": bad})
        assert response.status_code == 422 and response.json["fields"] == ["birthdate"]
    wrong_code = {**body, "letter_code": "AAAA-0000", "birthdate": "1979-09-30"}
    assert client.post("/platform/mpi/link", headers=PLATFORM, json=wrong_code).status_code == 404


def test_grace_is_proofed_under_a_name_the_index_does_not_know(client):
    attributes = verified_attributes(client, "grace")
    assert attributes["family_name"] == "Okafor-Bell"
    assert client.post("/platform/mpi/match", headers=PLATFORM, json=attributes).status_code == 404
    maiden = {**attributes, "family_name": "Okafor"}
    assert client.post("/platform/mpi/match", headers=PLATFORM, json=maiden).json["person_id"] == "PER000000066"
    (snap,) = client.get("/platform/sim/letters?persona=grace").json["letters"]
    body = {k: snap[k] for k in ("agency", "case_number", "letter_code")} | {"birthdate": attributes["birthdate"]}
    linked = client.post("/platform/mpi/link", headers=PLATFORM, json=body).json
    assert linked == {
        "person_id": "PER000000066",
        "agency": "DHS",
        "record_id": "IES100200907",
        "birthdate_matches": True,
    }
