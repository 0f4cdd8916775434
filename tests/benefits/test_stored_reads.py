"""Stored reads (``services.benefits.documents``): the benefits and actions reads served from the document
rendered when the resident's picture changed answer exactly what the full read answers, byte for byte and ETag
for ETag, in every language and page size, and what the documented schema describes; the document is written
in the same transaction as the change; a read costs at most three statements."""

from __future__ import annotations

import datetime as dt
import threading

import orjson
import pytest
from sqlalchemy import select

from api.resident.benefits.schemas import ActionListSchema, BenefitListSchema
from api.resident.benefits.stored import render
from services import clock
from services.benefits import documents
from services.benefits.store import apply_snapshot, record_source_error
from services.models.benefits import ResidentView
from services.platform import adapters
from services.platform.records import SourceError, SourceErrorKind
from services.platform.views import pulled
from tests.factories import create_signed_in_resident, create_snapshot
from tests.platform.payloads import pages
from tests.statements import recorded_statements

LINKS = {"DHS": "IES100200301", "HFS": "hfs-300400501", "AGING": "AG100200604", "DCEO": "EA100200403"}
FIXTURES = [
    ("DHS", "dhs_maria_day7.json"),
    ("HFS", "hfs_maria_day7.json"),
    ("AGING", "aging_ana_day7.json"),
    ("DCEO", "dceo_james_day0.json"),
]


@pytest.fixture
def resident(hub):
    resident = create_signed_in_resident(hub, links=LINKS, revoked=("DEC",))
    for agency, fixture in FIXTURES:
        create_snapshot(hub, resident.id, agency, fixture)
    return resident


@pytest.fixture
def full_read():
    """Within the block, reads take the full path: no renderer, so documents are deleted and never served."""

    class Full:
        def __enter__(self):
            documents.use_renderer(None)

        def __exit__(self, *exc):
            documents.use_renderer(render)

    return Full()


def _statements(engine, run) -> list[str]:
    with recorded_statements(engine) as seen:
        run()
    return seen


def _views(hub, resident_id):
    with hub.session() as session:
        return {
            row.locale: row
            for row in session.scalars(select(ResidentView).where(ResidentView.resident_id == resident_id))
        }


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/me/benefits", {}),
        ("/v1/me/benefits?limit=2", {}),
        ("/v1/me/benefits", {"Accept-Language": "es"}),
        ("/v1/me/actions", {}),
        ("/v1/me/actions?limit=1", {"Accept-Language": "es-MX"}),
    ],
)
def test_the_stored_answer_is_the_full_reads_answer_byte_for_byte(client, hub, resident, full_read, path, headers):
    headers = {**resident.headers, **headers}
    stored = client.get(path, headers=headers)
    assert stored.status_code == 200, stored.get_data(as_text=True)
    assert _views(hub, resident.id), "the read was not served from a stored document"
    with full_read:
        clock.set_now(clock.now())  # the same instant for both reads' freshness
        with hub.session() as session:
            documents.store(session, resident.id)  # no renderer: deleted
            session.commit()
        assert not _views(hub, resident.id)
        full = client.get(path, headers=headers)
    assert ("benefits.render_views", {"resident_id": resident.id}) in hub.runner.pending  # queued, not done here
    hub.runner.run_pending()
    assert _views(hub, resident.id)
    again = client.get(path, headers=headers)  # rendered again by the job, from the same rows
    assert full.status_code == 200
    assert stored.get_data() == full.get_data() == again.get_data()
    for header in ("ETag", "Content-Language", "Vary", "Cache-Control", "Content-Type"):
        assert stored.headers.get(header) == full.headers.get(header), header
    body = orjson.loads(stored.get_data())
    assert body["data"], "a page with items"
    if "limit" in path:
        assert body["meta"]["next_cursor"]


@pytest.mark.parametrize(
    ("path", "schema"), [("/v1/me/benefits", BenefitListSchema), ("/v1/me/actions", ActionListSchema)]
)
def test_the_stored_answer_is_what_the_documented_schema_describes(client, resident, path, schema):
    """Loaded by the route's own response schema without errors, and dumped back by it to the very same JSON."""
    raw = client.get(path, headers=resident.headers).get_data()
    body = orjson.loads(raw)
    loaded = schema().load(body)  # raises ValidationError on any field the schema does not describe
    assert orjson.dumps(schema().dump(loaded), option=orjson.OPT_SORT_KEYS) == raw


def test_a_read_is_at_most_three_statements_whatever_the_number_of_programs(client, hub, test_database, resident):
    small = create_signed_in_resident(hub, links={"DCEO": "EA100200403"})
    create_snapshot(hub, small.id, "DCEO", "dceo_james_day0.json")
    for path in ("/v1/me/benefits", "/v1/me/actions"):
        counts = []
        for who in (small, resident):
            client.get(path, headers=who.headers)  # warm per-process caches
            seen = _statements(test_database.engine, lambda who=who, path=path: client.get(path, headers=who.headers))
            counts.append(len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]))
        assert counts[0] == counts[1] <= 3, (path, counts)


@pytest.mark.parametrize("change", ["same picture again", "a failed fetch"])
def test_a_moved_source_stamp_is_restamped_and_still_the_full_reads_answer(client, hub, resident, full_read, change):
    """A pull that finds the same picture moves only the source's ``as_of`` and a failed fetch only its
    ``error_at``: the documents are restamped, not rendered again, and still answer what the full read does."""
    client.get("/v1/me/benefits", headers=resident.headers)
    clock.set_now(clock.now() + dt.timedelta(minutes=5))
    if change == "same picture again":
        assert create_snapshot(hub, resident.id, "DHS", "dhs_maria_day7.json") == "unchanged"
    else:
        with hub.session() as session:
            record_source_error(session, resident.id, "HFS", SourceError("HFS", SourceErrorKind.TIMEOUT, "timed out"))
            session.commit()
    stored = client.get("/v1/me/benefits", headers=resident.headers)
    with full_read:
        with hub.session() as session:
            documents.store(session, resident.id)
            session.commit()
        full = client.get("/v1/me/benefits", headers=resident.headers)
    assert stored.get_data() == full.get_data()
    statuses = {s["agency"]: s["status"] for s in orjson.loads(stored.get_data())["meta"]["sources"]}
    assert statuses["HFS"] == ("stale" if change == "a failed fetch" else "fresh")


def test_the_document_commits_with_the_snapshot_and_not_without_it(hub, resident):
    before = _views(hub, resident.id)
    assert set(before) == {"en", "es"}
    document = orjson.loads(before["en"].document)
    assert [entry[1]["program"]["code"] for entry in document["benefits"]]
    payload = pages("dhs_maria_day0.json")  # a different picture of DHS
    view = pulled(adapters.normalise("DHS", payload), clock.now(), adapters.view_stamp("DHS", payload))
    with hub.session() as session:
        apply_snapshot(session, resident.id, "DHS", view)
        session.flush()
        session.rollback()
    assert _views(hub, resident.id)["en"].document == before["en"].document
    create_snapshot(hub, resident.id, "DHS", "dhs_maria_day0.json")
    after = _views(hub, resident.id)
    assert after["en"].document != before["en"].document


def test_freshness_is_computed_at_read_time(client, resident):
    first = client.get("/v1/me/benefits", headers=resident.headers).get_json()
    assert {s["agency"]: s["status"] for s in first["meta"]["sources"]}["DHS"] == "fresh"
    clock.set_now(clock.now() + dt.timedelta(hours=2))
    later = client.get("/v1/me/benefits", headers=resident.headers)
    statuses = {s["agency"]: s["status"] for s in later.get_json()["meta"]["sources"]}
    assert statuses["DHS"] == "stale" and "DEC" not in statuses  # withheld: not shown at all
    assert later.headers["ETag"] != client.get("/v1/me/benefits").headers.get("ETag")


def test_a_consent_change_is_seen_on_the_next_read(client, resident):
    before = client.get("/v1/me/benefits", headers=resident.headers).get_json()
    assert "DHS" in {b["agency"] for b in before["data"]}
    put = client.put("/v1/me/consents/DHS", json={"granted": False}, headers=resident.headers)
    assert put.status_code < 300, put.get_data(as_text=True)
    after = client.get("/v1/me/benefits", headers=resident.headers).get_json()
    assert "DHS" not in {b["agency"] for b in after["data"]}
    assert "DHS" not in {s["agency"] for s in after["meta"]["sources"]}
    assert "DHS" not in {a["agency"] for a in client.get("/v1/me/actions", headers=resident.headers).get_json()["data"]}


def test_flask_resident_views_render_renders_every_resident(app, hub, resident):
    """Rows written around the ORM (a bulk load) have no documents until ``flask resident-views render``."""
    with hub.session() as session:
        session.execute(ResidentView.__table__.delete())
        session.commit()
    assert not _views(hub, resident.id)
    result = app.test_cli_runner().invoke(args=["resident-views", "render", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "rendered the stored reads of 1 residents" in result.output
    assert set(_views(hub, resident.id)) == {"en", "es"}


def test_two_sources_stored_at_once_both_reach_the_document(client, hub, test_database):
    """Two transactions store two agencies of one resident and commit together: each renders the document at its
    commit, and the one rendering second must see the other's rows (it waits on the resident's row lock), or the
    last to commit would leave a document without the other agency. PostgreSQL only: SQLite has one writer."""
    if not test_database.is_postgres:
        pytest.skip("SQLite writes one transaction at a time")
    resident = create_signed_in_resident(hub, links={"DHS": "IES100200301", "HFS": "hfs-300400501"})
    flushed = threading.Barrier(2, timeout=30)
    errors = []

    def store(agency, fixture):
        try:
            payload = pages(fixture)
            view = pulled(adapters.normalise(agency, payload), clock.now(), adapters.view_stamp(agency, payload))
            with hub.session() as session:
                apply_snapshot(session, resident.id, agency, view)
                session.flush()
                flushed.wait()  # both have written, neither has committed
                session.commit()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [
        threading.Thread(target=store, args=("DHS", "dhs_maria_day0.json")),
        threading.Thread(target=store, args=("HFS", "hfs_maria_day0.json")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    document = orjson.loads(_views(hub, resident.id)["en"].document)
    assert {item["agency"] for _, item in document["benefits"]} == {"DHS", "HFS"}
    assert set(document["sources"]) == {"DHS", "HFS"}
    body = client.get("/v1/me/actions", headers=resident.headers).get_json()
    assert "document" in [a["kind"] for a in body["data"]]  # DHS's proof of income, served from the document
