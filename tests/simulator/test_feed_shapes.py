"""Each agency answers in its own silo's shape, as the hub's adapters will meet them."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET  # noqa: S405  (parses only the sandbox's own XML)

from simulator.feeds.hfs import RENEWAL_DUE_URL

from .conftest import PLATFORM

US_DATE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
DOLLARS = re.compile(r"^\d+\.\d{2}$")
NS = {"c": "urn:sandbox:il:dec:ccap:v1"}


def test_dhs_is_camel_case_json_with_agency_codes_string_dollars_and_us_dates(client):
    body = client.get("/platform/dhs/clients/IES100200301/cases", headers=PLATFORM).json
    assert body["clientId"] == "IES100200301" and US_DATE.match(body["asOfDate"])
    snap = next(c for c in body["cases"] if c["programCode"] == "SNAP")
    assert re.fullmatch(r"\d{9}", snap["caseNumber"])
    assert snap["statusCode"] == "ACTV" and snap["benefitAmount"] == "234.00"
    assert US_DATE.match(snap["certPeriod"]["beginDate"]) and US_DATE.match(snap["statusDate"])
    assert snap["issuanceDay"] == 14  # case number ends in 7
    for issuance in snap["issuances"]:
        assert DOLLARS.match(issuance["amount"]) and issuance["typeCode"] in ("INIT", "REG")
    [verification] = snap["pendingVerifications"]
    assert verification["statusCode"] == "REQD" and verification["docTypeCode"] == "INCM"
    assert [h["statusCode"] for h in snap["statusHistory"]] == ["PEND", "ACTV"]
    assert {"appointments", "notices", "redetermination", "nextIssuanceDate"} <= snap.keys()


def test_dhs_unknown_client_is_404(client):
    response = client.get("/platform/dhs/clients/IES000000000/cases", headers=PLATFORM)
    assert response.status_code == 404 and response.json["error"] == "not_found"


def test_hfs_is_a_fhir_r4_searchset_bundle_of_coverage_with_tasks_and_communications(client):
    client.post("/platform/sim/advance", json={"days": 3})
    response = client.get("/platform/hfs/fhir/Coverage?beneficiary=Patient/hfs-300400501", headers=PLATFORM)
    assert response.content_type.startswith("application/fhir+json")
    bundle = response.json
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset" and bundle["total"] == 1
    matches = [e for e in bundle["entry"] if e["search"]["mode"] == "match"]
    included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    [coverage] = [e["resource"] for e in matches]
    assert matches[0]["fullUrl"].endswith("/Coverage/cov-710038264")
    assert coverage["resourceType"] == "Coverage" and coverage["status"] == "active"
    assert coverage["beneficiary"] == {"reference": "Patient/hfs-300400501"}
    assert coverage["identifier"][0]["value"] == "710038264"
    assert set(coverage["period"]) == {"start", "end"}
    assert {c["type"]["coding"][0]["code"] for c in coverage["class"]} == {"plan", "group"}
    assert any(x["url"] == RENEWAL_DUE_URL and x["valueDate"] == "2025-03-28" for x in coverage["extension"])
    kinds = {r["resourceType"] for r in included}
    assert kinds == {"Task", "Communication"}
    renewal = next(r for r in included if r["resourceType"] == "Task")
    assert renewal["code"]["coding"][0]["code"] == "renewal" and renewal["status"] == "requested"
    assert renewal["focus"] == {"reference": "Coverage/cov-710038264"}
    assert renewal["restriction"]["period"]["end"] == "2025-03-28"
    for communication in (r for r in included if r["resourceType"] == "Communication"):
        assert communication["status"] == "completed" and communication["payload"][0]["contentString"]


def test_hfs_search_without_beneficiary_is_an_operation_outcome_and_unknown_patient_an_empty_bundle(client):
    bad = client.get("/platform/hfs/fhir/Coverage", headers=PLATFORM)
    assert bad.status_code == 400 and bad.json["resourceType"] == "OperationOutcome"
    empty = client.get("/platform/hfs/fhir/Coverage?beneficiary=Patient/nobody", headers=PLATFORM).json
    assert empty["total"] == 0 and empty["entry"] == []


def test_aging_is_a_flat_paginated_export_with_terse_uppercase_columns(client):
    first = client.get("/platform/aging/export?person_id=PER000000033&page=1&page_size=4", headers=PLATFORM).json
    assert first["page"] == 1 and first["next_page"] == 2 and len(first["rows"]) == 4
    rows = list(first["rows"])
    page = first
    while page["next_page"]:
        page = client.get(
            f"/platform/aging/export?person_id=PER000000033&page={page['next_page']}&page_size=4", headers=PLATFORM
        ).json
        rows.extend(page["rows"])
    assert len(rows) == first["total_rows"]
    for row in rows:
        assert all(key.isupper() for key in row) and not any(isinstance(v, (dict, list)) for v in row.values())
        assert row["CLT_ID"] == "AG100200604" and re.fullmatch(r"\d{8}", row["EFF_DT"])
    enrolments = {r["PGM_CD"]: r["STAT_CD"] for r in rows if r["REC_TYP"] == "ENR"}
    assert enrolments == {"CCP": "A", "BAP": "D"}


def test_aging_unfiltered_export_walks_every_client_page_by_page(client):
    seen, page, pages = [], 1, 0
    while page:
        body = client.get(f"/platform/aging/export?page={page}&page_size=50", headers=PLATFORM).json
        assert len(body["rows"]) <= 50
        seen.extend(body["rows"])
        page, pages = body["next_page"], pages + 1
    clients = {row["CLT_ID"] for row in seen}
    assert "AG100200604" in clients and len(clients) > 5 and pages > 1
    assert len({(r["CLT_ID"], r["PGM_CD"], r["SEQ"]) for r in seen}) == len(seen)  # no row twice
    assert client.get("/platform/aging/export?page=0", headers=PLATFORM).status_code == 400


def test_dceo_is_nested_applicant_applications_awards(client):
    body = client.get("/platform/dceo/applicants/EA100200403", headers=PLATFORM).json
    applicant = body["applicant"]
    [application] = applicant["applications"]
    assert application["program"] == "LIHEAP" and application["state"] == "approved"
    assert application["decision"]["outcome"] == "approved"
    [award] = application["awards"]
    assert award["amount"] == 450.0 and award["status"] == "paid" and award["vendor"]["name"] == "Ameren Illinois"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", application["submitted_on"])


def test_dec_is_xml(client):
    response = client.get("/platform/dec/cases?person_id=PER000000044", headers=PLATFORM)
    assert response.content_type.startswith("application/xml")
    root = ET.fromstring(response.data)  # noqa: S314
    assert root.tag == "{urn:sandbox:il:dec:ccap:v1}CCAPCaseList" and root.get("personId") == "PER000000044"
    [case] = root.findall("c:Case", NS)
    assert case.get("number") == "640207719" and case.find("c:Status", NS).get("code") == "AP"
    assert case.find("c:Copayment", NS).get("amount") == "25.00"
    by_record = client.get("/platform/dec/cases?record_id=DEC100200705", headers=PLATFORM)
    assert by_record.data == response.data
    nobody = ET.fromstring(client.get("/platform/dec/cases?person_id=PER000000055", headers=PLATFORM).data)  # noqa: S314
    assert nobody.findall("c:Case", NS) == []
    assert client.get("/platform/dec/cases", headers=PLATFORM).status_code == 400
