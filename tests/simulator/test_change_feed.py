"""Per-agency change feeds: cursors that resume exactly where the reader left off."""

from __future__ import annotations

from .conftest import PLATFORM


def read_all(client, agency, limit):
    cursor, items, pages = "0", [], 0
    while True:
        body = client.get(f"/platform/{agency}/changes?since={cursor}&limit={limit}", headers=PLATFORM).json
        items.extend(body["changes"])
        pages += 1
        if body["next_cursor"] == cursor:
            return items, cursor, pages
        cursor = body["next_cursor"]


def test_nothing_has_changed_on_day_zero(client):
    assert client.get("/platform/dhs/changes", headers=PLATFORM).json == {"changes": [], "next_cursor": "0"}


def test_cursor_pages_cover_every_change_once_in_order_and_resume_after_more_days(client):
    emitted = client.post("/platform/sim/advance", json={"days": 7}).json["events"]
    dhs_ids = [e["event_id"] for e in emitted if e["agency"] == "DHS"]
    items, cursor, pages = read_all(client, "dhs", limit=3)
    assert [c["event_id"] for c in items] == dhs_ids and pages > 2
    assert set(items[0]) == {"event_id", "agency", "person_id", "record_id", "occurred_at"}
    assert all(c["agency"] == "DHS" for c in items)

    later = client.post("/platform/sim/advance", json={"days": 5}).json["events"]
    more = client.get(f"/platform/DHS/changes?since={cursor}&limit=1000", headers=PLATFORM).json
    assert [c["event_id"] for c in more["changes"]] == [e["event_id"] for e in later if e["agency"] == "DHS"]


def test_each_agency_has_its_own_feed(client):
    emitted = client.post("/platform/sim/advance", json={"days": 7}).json["events"]
    for agency in ("HFS", "AGING", "DCEO", "DEC"):
        items, _, _ = read_all(client, agency.lower(), limit=1000)
        assert [c["event_id"] for c in items] == [e["event_id"] for e in emitted if e["agency"] == agency]


def test_bad_cursors_and_agencies(client):
    assert client.get("/platform/dhs/changes?since=abc", headers=PLATFORM).status_code == 400
    assert client.get("/platform/dhs/changes?limit=0", headers=PLATFORM).status_code == 400
    assert client.get("/platform/irs/changes", headers=PLATFORM).status_code == 404


def test_reset_starts_the_story_again(client):
    client.post("/platform/sim/advance", json={"days": 3})
    state = client.post("/platform/sim/reset").json
    assert state["scenario_day"] == 0 and state["events"]["total"] == 0
    assert client.get("/platform/hfs/changes", headers=PLATFORM).json["changes"] == []
    assert client.post("/platform/sim/advance", json={"days": 0}).status_code == 422
