"""``flask sync agency DHS --bulk``: the platform's bulk export streamed page by page into the hub's database.

Through the running sandbox (its export and per-record feeds over HTTP) and real sessions, on SQLite and
PostgreSQL: first run writes baselines with rendered documents, a rerun writes nothing, a changed record writes
its outbox events, an older view is kept out, a failing agency stops the run where it is.
"""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
from sqlalchemy import func, select, text

from services.benefits.store import APPLIED
from services.benefits.sync import refresh_source
from services.models.benefits import Benefit, BenefitAction, BenefitSource, ResidentView, SyncCheckpoint
from services.models.outbox import OutboxEvent
from services.planner_statistics import analyze_stale
from tests.factories import create_signed_in_resident

KEY = {"Authorization": "Bearer sandbox-platform-key"}


def counts(context) -> tuple[int, int, int, int]:
    with context.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (BenefitSource, Benefit, ResidentView, OutboxEvent)
        )


def bulk(app, *args: str):
    result = app.test_cli_runner().invoke(args=["sync", "agency", "DHS", "--bulk", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_export_pages_each_record_as_its_feed_answers_it(sandbox_url):
    first = httpx.get(f"{sandbox_url}/platform/agencies/DHS/records", params={"limit": 2}, headers=KEY).json()
    assert len(first["records"]) == 2 and first["next_cursor"]
    record = first["records"][0]
    feed = httpx.get(f"{sandbox_url}/platform/dhs/clients/{record['record_id']}/cases", headers=KEY)
    assert record["body"] == feed.text
    following = httpx.get(
        f"{sandbox_url}/platform/agencies/DHS/records",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=KEY,
    ).json()
    assert {r["record_id"] for r in following["records"]}.isdisjoint(r["record_id"] for r in first["records"])
    bad = httpx.get(f"{sandbox_url}/platform/agencies/DHS/records", params={"limit": 0}, headers=KEY)
    assert bad.status_code == 400
    assert httpx.get(f"{sandbox_url}/platform/agencies/DHS/records").status_code == 401


def test_bulk_reconciliation_stores_baselines_resumes_and_rewrites_nothing_on_a_rerun(sandbox_app, sandbox_hub):
    residents = [
        create_signed_in_resident(sandbox_hub, links={"DHS": record})
        for record in ("IES100200301", "IES100200402", "IES100200301")
    ]
    create_signed_in_resident(sandbox_hub, links={"HFS": "hfs-300400501"})  # another agency: not touched

    first = bulk(sandbox_app, "--page-size", "1", "--max-batches", "1")  # maria's record is the first
    assert "2 of 3 residents" in first and "--resume" in first
    resumed = bulk(sandbox_app, "--resume", "--page-size", "1")
    assert "3 of 3 residents, 0 failed" in resumed
    with sandbox_hub.session() as session:
        sources = {s.resident_id: s for s in session.scalars(select(BenefitSource))}
        assert set(sources) == {r.id for r in residents}
        assert all(s.content_hash and s.as_of and s.view_at for s in sources.values())
        rendered = set(session.scalars(select(ResidentView.resident_id)))
        assert {r.id for r in residents} <= rendered
        assert session.get(SyncCheckpoint, "bulk:DHS").finished_at is not None
        benefit_ids = set(session.scalars(select(Benefit.id)))
    written = counts(sandbox_hub)
    assert written[3] == 0  # a first picture is a baseline: no events

    again = bulk(sandbox_app)
    assert "3 of 3 residents" in again
    assert counts(sandbox_hub) == written
    with sandbox_hub.session() as session:
        assert set(session.scalars(select(Benefit.id))) == benefit_ids


def test_a_changed_record_writes_its_events_and_an_older_view_is_kept_out(sandbox_app, sandbox_hub, sandbox_url):
    maria = create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301"})
    bulk(sandbox_app)
    httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 7}).raise_for_status()
    bulk(sandbox_app)
    with sandbox_hub.session() as session:
        events = list(session.scalars(select(OutboxEvent).where(OutboxEvent.resident_id == maria.id)))
        assert events, "maria's document request fell due: the change is an event"
        source = session.scalar(select(BenefitSource).where(BenefitSource.resident_id == maria.id))
        # the hub holds a picture stored after the export's next page is asked for, showing a later day
        source.view_at = source.view_at + dt.timedelta(days=30)
        source.as_of, hash_before = source.as_of + dt.timedelta(days=1), source.content_hash
        session.commit()
    httpx.post(f"{sandbox_url}/platform/sim/reset").raise_for_status()  # the export now shows day 0 again
    kept = bulk(sandbox_app)
    assert "1 older than the hub's copy (kept)" in kept
    with sandbox_hub.session() as session:
        assert session.scalar(select(BenefitSource.content_hash).where(BenefitSource.resident_id == maria.id)) == (
            hash_before
        )


def test_bulk_reconciliation_stops_when_the_agency_fails_and_keeps_its_place(sandbox_app, sandbox_hub, sandbox_url):
    create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301"})
    create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200402"})
    bulk(sandbox_app, "--page-size", "1", "--max-batches", "1")
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "down"})
    try:
        stopped = bulk(sandbox_app, "--resume", "--page-size", "1")
    finally:
        httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "DHS", "mode": "ok"})
    assert "stopped" in stopped and "1 of 2 residents" in stopped
    with sandbox_hub.session() as session:
        checkpoint = session.get(SyncCheckpoint, "bulk:DHS")
        assert checkpoint.finished_at is None and checkpoint.processed == 1


def test_drop_documents_leaves_the_reads_to_the_full_path_until_rendered(sandbox_app, sandbox_hub):
    maria = create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301"})
    bulk(sandbox_app)
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).where(ResidentView.resident_id == maria.id))
    bulk(sandbox_app, "--drop-documents")
    with sandbox_hub.session() as session:
        assert not session.scalar(select(func.count()).where(ResidentView.resident_id == maria.id))
    rendered = sandbox_app.test_cli_runner().invoke(args=["resident-views", "render"])
    assert rendered.exit_code == 0, rendered.output
    with sandbox_hub.session() as session:
        assert session.scalar(select(func.count()).where(ResidentView.resident_id == maria.id))


HUB_IDS = {"action_id", "benefit_id"}  # the hub's own row ids, different for each resident


def picture(context, resident_id: str) -> dict:
    """What a resident's stored picture at DHS is, without the ids and stamps that differ between residents."""
    with context.session() as session:
        source = session.scalar(select(BenefitSource).where(BenefitSource.resident_id == resident_id))
        benefits = {
            row.source_key: (row.program_code, row.case_number, row.status, row.renewal_due_on, row.document)
            for row in session.scalars(select(Benefit).where(Benefit.resident_id == resident_id))
        }
        actions = sorted(
            (a.program_code, a.source_key, a.kind, a.title, a.state, a.due_on, a.scheduled_at, a.sort_on)
            for a in session.scalars(select(BenefitAction).where(BenefitAction.resident_id == resident_id))
        )
        events = sorted(
            (e.type, e.agency, json.dumps({k: v for k, v in e.payload.items() if k not in HUB_IDS}, sort_keys=True))
            for e in session.scalars(select(OutboxEvent).where(OutboxEvent.resident_id == resident_id))
        )
        return {"hash": source.content_hash, "benefits": benefits, "actions": actions, "events": events}


def test_bulk_writes_what_the_per_resident_path_writes_baseline_change_and_rerun(sandbox_app, sandbox_hub, sandbox_url):
    """Two residents on james's record (his SNAP is approved and paid in the first week): one kept on the
    per-resident path (``refresh_source``), one reconciled in bulk. Their pictures and outbox events must be the
    same, for the first picture and for the change; a rerun with nothing changed writes nothing."""
    single, other = (create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200402"}) for _ in "ab")
    assert refresh_source(sandbox_hub, single.id, "DHS") == APPLIED
    bulk(sandbox_app)
    baseline = picture(sandbox_hub, single.id)
    assert baseline["benefits"] and baseline["actions"] and not baseline["events"]
    assert picture(sandbox_hub, other.id) == baseline

    httpx.post(f"{sandbox_url}/platform/sim/advance", json={"days": 7}).raise_for_status()
    assert refresh_source(sandbox_hub, single.id, "DHS") == APPLIED
    bulk(sandbox_app, "--page-size", "1")
    changed = picture(sandbox_hub, single.id)
    assert changed["events"] and changed["hash"] != baseline["hash"]
    assert picture(sandbox_hub, other.id) == changed

    written = counts(sandbox_hub)
    with sandbox_hub.session() as session:
        updated = sorted(session.scalars(select(Benefit.updated_at)))
    bulk(sandbox_app, "--drop-documents")
    assert counts(sandbox_hub)[3] == written[3]  # an unchanged rerun writes no event
    with sandbox_hub.session() as session:
        assert sorted(session.scalars(select(Benefit.updated_at))) == updated


def test_an_unchanged_rerun_stamps_every_source_as_answered(sandbox_app, sandbox_hub):
    """The rerun's stamps (one statement per page on PostgreSQL): ``as_of``/``attempted_at`` move, an earlier
    error is cleared, the view stamp is the newer one, the picture stays."""
    residents = [create_signed_in_resident(sandbox_hub, links={"DHS": r}) for r in ("IES100200301", "IES100200402")]
    bulk(sandbox_app)
    earlier = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with sandbox_hub.session() as session:
        before = {}
        for source in session.scalars(select(BenefitSource)):
            source.as_of = source.attempted_at = source.error_at = earlier
            source.error_kind, source.error_detail = "timeout", "no answer"
            before[source.resident_id] = (source.content_hash, source.view_at, source.view_exact)
        session.commit()
    bulk(sandbox_app, "--drop-documents")
    with sandbox_hub.session() as session:
        sources = {s.resident_id: s for s in session.scalars(select(BenefitSource))}
        assert set(sources) == {r.id for r in residents}
        for resident_id, source in sources.items():
            assert source.as_of > earlier and source.attempted_at == source.as_of
            assert (source.error_kind, source.error_detail, source.error_at) == (None, None, None)
            digest, view_at, view_exact = before[resident_id]
            assert source.content_hash == digest and source.view_exact == view_exact
            assert source.view_at >= view_at  # the newer of the stored view and the export's (an inexact one)


def test_a_run_brings_the_planner_statistics_of_links_and_sources_up_to_date(sandbox_app, sandbox_hub):
    """On PostgreSQL a run ANALYZEs ``resident_links`` and ``benefit_sources`` when they were never analyzed (or
    changed much since): without statistics a page's look-up of a thousand record ids read every link of the
    agency. ``last_analyze`` is set by an ANALYZE statement only (autovacuum sets ``last_autoanalyze``)."""
    with sandbox_hub.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            assert analyze_stale(connection, ["resident_links"]) == []
            pytest.skip("SQLite plans without statistics of its own")
    create_signed_in_resident(sandbox_hub, links={"DHS": "IES100200301"})
    bulk(sandbox_app, "--drop-documents")
    tables = ("resident_links", "benefit_sources")
    with sandbox_hub.engine.connect() as connection:
        analyzed = connection.execute(
            text("SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY(:tables)"),
            {"tables": list(tables)},
        ).all()
        assert sorted(name for name, at in analyzed if at is not None) == sorted(tables)
        assert analyze_stale(connection, tables) == []  # fresh now: not analyzed again
