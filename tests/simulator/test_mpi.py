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
