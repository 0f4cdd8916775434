"""The platform's authorized representatives: rosa recorded by AGING for ana, recording from the hub, ending."""

from __future__ import annotations

from .conftest import PLATFORM
from .test_mpi import verified_attributes

ANA_AGING, ANA_HFS = "AG100200604", "hfs-300400602"


def test_the_index_knows_rosa_without_records_and_aging_lists_her_as_anas_representative(client):
    match = client.post("/platform/mpi/match", headers=PLATFORM, json=verified_attributes(client, "rosa"))
    assert match.status_code == 200
    assert match.json == {"person_id": "PER000000077", "records": []}

    listed = client.get(f"/platform/representatives/AGING/{ANA_AGING}", headers=PLATFORM).json["designations"]
    assert [(d["person_id"], d["representative"]["person_id"], d["recorded_by"], d["status"]) for d in listed] == [
        ("PER000000033", "PER000000077", "agency", "active")
    ]
    mine = client.get("/platform/representatives?representative_person_id=PER000000077", headers=PLATFORM).json
    assert [d["designation_id"] for d in mine["designations"]] == [listed[0]["designation_id"]]
    assert (
        client.post("/platform/mpi/match", headers=PLATFORM, json=verified_attributes(client, "sam")).status_code == 404
    )


def test_the_hub_records_idempotently_and_ends_a_designation(client):
    body = {"representative": {"given_name": "Rosa", "family_name": "Morales"}}
    first = client.put(f"/platform/representatives/HFS/{ANA_HFS}/hub-1", headers=PLATFORM, json=body)
    again = client.put(f"/platform/representatives/HFS/{ANA_HFS}/hub-1", headers=PLATFORM, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["designation_id"] == again.json["designation_id"]
    assert first.json["recorded_by"] == "hub" and first.json["hub_designation_id"] == "hub-1"

    path = f"/platform/representatives/HFS/designations/{first.json['designation_id']}/end"
    ended = client.post(path, headers=PLATFORM, json={"ended_by": "resident"})
    assert ended.status_code == 200
    assert (ended.json["status"], ended.json["ended_by"]) == ("ended", "resident")
    listed = client.get(f"/platform/representatives/HFS/{ANA_HFS}", headers=PLATFORM).json["designations"]
    assert [d["status"] for d in listed] == ["ended"]


def test_refusals_unknown_record_missing_name_no_key_and_the_agency_ending_one_emits_a_change(client):
    body = {"representative": {"given_name": "Rosa", "family_name": "Morales"}}
    assert client.put("/platform/representatives/HFS/hfs-nope/hub-2", headers=PLATFORM, json=body).status_code == 404
    assert client.put(f"/platform/representatives/HFS/{ANA_HFS}/hub-2", headers=PLATFORM, json={}).status_code == 422
    assert client.put(f"/platform/representatives/HFS/{ANA_HFS}/hub-2", json=body).status_code == 401

    aging = client.get(f"/platform/representatives/AGING/{ANA_AGING}", headers=PLATFORM).json["designations"][0]
    ended = client.post("/platform/sim/representatives/end", json={"designation_id": aging["designation_id"]})
    assert (ended.status_code, ended.json["status"], ended.json["ended_by"]) == (200, "ended", "agency")
    events = client.get("/platform/sim/events").json["events"]
    assert (events[-1]["agency"], events[-1]["record_id"]) == ("AGING", ANA_AGING) or (
        events[0]["agency"],
        events[0]["record_id"],
    ) == ("AGING", ANA_AGING)
    assert client.post("/platform/sim/representatives/end", json={"designation_id": "AR-nope"}).status_code == 404
