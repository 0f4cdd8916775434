"""Agencies' planned outages: the sandbox announces one for DEC; every benefits read reports each source's window
now or within 24 hours as ``meta.sources[].maintenance`` in plain words; during a window the hub does not call
the source (reads and sync skip it) and the read says when data will be back."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import select

from services import clock
from services.benefits.sync import refresh_source
from services.models.benefits import BenefitSource
from services.platform.maintenance import parse_windows, refresh_maintenance
from tests.factories import sign_in


def sources(client, who, query="") -> dict:
    response = client.get(f"/v1/me/benefits{query}", headers=who.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {s["agency"]: s for s in response.get_json()["meta"]["sources"]}


def announce(sandbox_url, **window):
    response = httpx.post(f"{sandbox_url}/platform/sim/maintenance", json=window)
    assert response.status_code == 201, response.text
    return response.json()["window"]


def test_the_dec_window_shows_on_marias_read_in_plain_words(sandbox_client, sandbox_hub, sandbox_url):
    assert refresh_maintenance(sandbox_hub) == 1
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    found = sources(sandbox_client, maria)
    window = found["DEC"]["maintenance"]
    assert window is not None and window["starts_at"] < window["ends_at"]
    starts = dt.datetime.fromisoformat(window["starts_at"])
    assert clock.now() < starts <= clock.now() + dt.timedelta(hours=24)
    assert window["message"].startswith("DEC's systems will be down for planned maintenance from ")
    assert all(found[agency]["maintenance"] is None for agency in ("DHS", "HFS", "AGING", "DCEO"))


def test_ana_reads_it_in_spanish(sandbox_client, sandbox_hub, sandbox_url):
    refresh_maintenance(sandbox_hub)
    ana = sign_in(sandbox_client, sandbox_url, "ana")
    assert sources(sandbox_client, ana)["DEC"]["maintenance"]["message"].startswith(
        "Los sistemas de DEC estarán en mantenimiento programado"
    )


def test_during_its_window_the_source_is_not_called_and_the_read_says_when_it_is_back(
    sandbox_client, sandbox_hub, sandbox_url
):
    maria = sign_in(sandbox_client, sandbox_url, "maria")
    assert sources(sandbox_client, maria)["HFS"]["status"] == "fresh"
    announce(sandbox_url, agency="HFS", starts_in_minutes=-5, duration_minutes=120, message="Eligibility upgrade")
    refresh_maintenance(sandbox_hub)
    with sandbox_hub.session() as session:
        resident_id = session.scalar(select(BenefitSource.resident_id))
    assert refresh_source(sandbox_hub, resident_id, "HFS") == "maintenance"
    found = sources(sandbox_client, maria, "?refresh=true")
    assert found["HFS"]["status"] in ("fresh", "stale")  # served from the last good copy
    message = found["HFS"]["maintenance"]["message"]
    assert message.startswith("HFS's systems are down for planned maintenance until ") and "new information" in message
    with sandbox_hub.session() as session:
        row = session.scalar(select(BenefitSource).where(BenefitSource.agency == "HFS"))
        assert row.error_kind == "maintenance"  # a call to HFS (which is up) would have cleared it


def test_a_platform_that_cannot_be_asked_keeps_the_last_calendar(sandbox_hub, sandbox_url):
    assert refresh_maintenance(sandbox_hub) == 1
    sandbox_hub.platform._http.base_url = "http://127.0.0.1:1/"  # the platform gone
    assert refresh_maintenance(sandbox_hub) is None
    assert [w.agency for w in sandbox_hub.maintenance.windows()] == ["DEC"]


def test_ended_and_malformed_windows_are_left_out():
    now = dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
    body = {
        "windows": [
            {"agency": "DEC", "starts_at": "2026-12-02T13:00:00Z", "ends_at": "2026-12-02T15:00:00Z", "message": "x"},
            {"agency": "DEC", "starts_at": "2026-12-01T13:00:00Z", "ends_at": "2026-12-01T15:00:00Z"},  # ended
            {"agency": "XYZ", "starts_at": "2026-12-02T13:00:00Z", "ends_at": "2026-12-02T15:00:00Z"},
            {"agency": "HFS", "starts_at": "2026-12-02T13:00:00", "ends_at": "2026-12-02T15:00:00"},  # no zone
            {"agency": "HFS", "starts_at": "soon"},
            "not an object",
        ]
    }
    assert [(r.agency, r.message) for r in parse_windows(body, now)] == [("DEC", "x")]
    assert parse_windows({"windows": "none"}, now) is None
