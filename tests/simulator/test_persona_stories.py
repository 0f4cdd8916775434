"""The contract's personas, before and after a week of scenario time."""

from __future__ import annotations

from datetime import date

import jwt

from simulator.feeds.hfs import RENEWAL_STATUS_URL

from .conftest import PLATFORM, START


def dhs_case(client, record_id, program):
    body = client.get(f"/platform/dhs/clients/{record_id}/cases", headers=PLATFORM).json
    return next(c for c in body["cases"] if c["programCode"] == program)


def coverage_bundle(client, patient):
    return client.get(f"/platform/hfs/fhir/Coverage?beneficiary=Patient/{patient}", headers=PLATFORM).json


def aging_rows(client, person_id):
    return client.get(f"/platform/aging/export?person_id={person_id}", headers=PLATFORM).json["rows"]


def claims_of(client, persona):
    token = client.post("/idp/test-login", json={"persona": persona}).json["id_token"]
    return jwt.decode(token, options={"verify_signature": False})


def test_maria_before_and_after_a_week(client):
    snap = dhs_case(client, "IES100200301", "SNAP")
    assert snap["statusCode"] == "ACTV"
    assert [(v["statusCode"], v["dueDate"]) for v in snap["pendingVerifications"]] == [("REQD", "03/08/2025")]
    assert dhs_case(client, "IES100200301", "WIC")["statusCode"] == "ACTV"
    bundle = coverage_bundle(client, "hfs-300400501")
    coverage = bundle["entry"][0]["resource"]
    renewal_due = date.fromisoformat(
        next(x["valueDate"] for x in coverage["extension"] if x["url"].endswith("renewal-due-date"))
    )
    assert coverage["status"] == "active" and 0 < (renewal_due - START).days <= 30
    assert not any(e["resource"]["resourceType"] == "Task" for e in bundle["entry"])

    advanced = client.post("/platform/sim/advance", json={"days": 7}).json
    maria_events = {(e["agency"], e["scenario_day"]) for e in advanced["events"] if e["person_id"] == "PER000000011"}
    assert {("HFS", 3), ("DHS", 6)} <= maria_events

    snap = dhs_case(client, "IES100200301", "SNAP")
    assert [v["statusCode"] for v in snap["pendingVerifications"]] == ["OVDU"]
    bundle = coverage_bundle(client, "hfs-300400501")
    resources = [e["resource"] for e in bundle["entry"]]
    [task] = [r for r in resources if r["resourceType"] == "Task"]
    assert task["code"]["coding"][0]["code"] == "renewal" and task["authoredOn"] == "2025-03-06"
    assert any(r["resourceType"] == "Communication" and r["sent"].startswith("2025-03-06") for r in resources)
    assert any(x["url"] == RENEWAL_STATUS_URL and x["valueCode"] == "packet_sent" for x in resources[0]["extension"])


def test_james_before_and_after_a_week(client):
    snap = dhs_case(client, "IES100200402", "SNAP")
    assert snap["statusCode"] == "PEND" and snap["issuances"] == []
    assert [(a["statusCode"], a["date"], a["time"]) for a in snap["appointments"]] == [
        ("SCHEDULED", "03/05/2025", "10:00")
    ]
    liheap = client.get("/platform/dceo/applicants/EA100200403", headers=PLATFORM).json["applicant"]["applications"][0]
    assert liheap["state"] == "approved"

    advanced = client.post("/platform/sim/advance", json={"days": 7}).json
    assert {("DHS", 2), ("DHS", 4)} <= {
        (e["agency"], e["scenario_day"]) for e in advanced["events"] if e["person_id"] == "PER000000022"
    }

    snap = dhs_case(client, "IES100200402", "SNAP")
    assert snap["appointments"][0]["statusCode"] == "COMPLETED"
    assert snap["statusCode"] == "ACTV" and snap["statusDate"] == "03/07/2025"
    assert snap["issuances"] == [{"issuanceDate": "03/07/2025", "amount": "180.00", "typeCode": "INIT"}]
    assert snap["nextIssuanceDate"] == "04/17/2025"  # case number ends in 8 → the 17th, from the next month
    assert "APPR" in {n["formCode"] for n in snap["notices"]}


def test_ana_before_and_after_a_week(client):
    claims = claims_of(client, "ana")
    born = date.fromisoformat(claims["birthdate"])
    assert (
        claims["locale"] == "es"
        and (START.year - born.year - ((START.month, START.day) < (born.month, born.day))) == 70
    )
    assert coverage_bundle(client, "hfs-300400602")["entry"][0]["resource"]["status"] == "active"
    rows = aging_rows(client, "PER000000033")
    assert {(r["PGM_CD"], r["STAT_CD"]) for r in rows if r["REC_TYP"] == "ENR"} == {("CCP", "A"), ("BAP", "D")}
    denied = next(r for r in rows if r["REC_TYP"] == "ENR" and r["PGM_CD"] == "BAP")
    assert denied["EFF_DT"][:6] == "202502"  # last month
    assert not [r for r in rows if r["REC_TYP"] == "APT" and r["EVT_CD"] == "SCH"]

    advanced = client.post("/platform/sim/advance", json={"days": 7}).json
    assert ("AGING", 4) in {
        (e["agency"], e["scenario_day"]) for e in advanced["events"] if e["person_id"] == "PER000000033"
    }

    rows = aging_rows(client, "PER000000033")
    [visit] = [r for r in rows if r["REC_TYP"] == "APT" and r["EVT_CD"] == "SCH"]
    assert visit["EFF_DT"] == "20250324" and visit["PGM_CD"] == "CCP"
    assert any(r["REC_TYP"] == "NTC" and r["EVT_CD"] == "RASM" and r["EFF_DT"] == "20250307" for r in rows)


def test_a_week_always_brings_events_for_maria_james_and_ana_and_the_events_carry_the_feed_document(client):
    advanced = client.post("/platform/sim/advance", json={"days": 7}).json
    assert advanced["scenario_day"] == 7 and advanced["date"] == "2025-03-10"
    people = {e["person_id"] for e in advanced["events"]}
    assert {"PER000000011", "PER000000022", "PER000000033"} <= people
    assert "PER000000055" not in people


def test_lee_signs_in_with_basic_assurance_only(client):
    claims = claims_of(client, "lee")
    assert claims["acr"].endswith("/ial/1")
    assert not {"given_name", "family_name", "birthdate", "ssn_last4", "phone_number"} & claims.keys()


def test_sam_is_verified_but_unknown_to_every_agency(client):
    claims = claims_of(client, "sam")
    assert claims["acr"].endswith("/ial/2")
    match = client.post(
        "/platform/mpi/match",
        headers=PLATFORM,
        json={k: claims[k] for k in ("given_name", "family_name", "birthdate", "ssn_last4")},
    )
    assert match.status_code == 404 and match.json == {"error": "no_match"}
    assert client.get("/platform/sim/letters?persona=sam").json["letters"] == []
