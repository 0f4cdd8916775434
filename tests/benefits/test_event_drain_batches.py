"""The drain applies a batch of accepted events in one transaction: each event in its own savepoint, record by
record in arrival order, each changed resident's stored documents rendered once at the commit; a failing event
stays in the inbox with its record's later events, a duplicate rolls back alone, and a batch whose commit fails
leaves everything as it was (on SQLite too, where releasing a savepoint must not commit)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import threading
import time

import pytest
from sqlalchemy import event, func, insert, select, text

from api.resident.benefits.stored import render
from services import clock
from services.benefits import documents
from services.benefits.drain_turn import LOCK_KEY
from services.benefits.event_inbox import apply_accepted_events, apply_platform_events_job
from services.benefits.store import write_session, writers_waiting
from services.models.benefits import PlatformEvent, PlatformEventInbox, ResidentView
from services.models.identity import Consent
from services.models.outbox import OutboxEvent
from tests.benefits.events import apply_accepted, change_event, post_batch
from tests.factories import create_resident, create_signed_in_resident, create_snapshot
from tests.platform.payloads import page
from tests.statements import recorded_statements

JAMES, MARIA = "IES100200402", "IES100200301"


@pytest.fixture
def people(hub):
    james = create_signed_in_resident(hub, links={"DHS": JAMES})
    create_snapshot(hub, james.id, "DHS", "dhs_james_day0.json")
    maria = create_signed_in_resident(hub, links={"DHS": MARIA})
    create_snapshot(hub, maria.id, "DHS", "dhs_maria_day0.json")
    return {"james": james, "maria": maria}


def event_of(event_id: str, record_id: str, fixture: str, minute: int) -> bytes:
    """A DHS change carrying ``fixture``, that happened ``minute`` minutes into the day."""
    occurred = f"2026-11-28T06:{minute:02d}:00Z"
    return change_event(event_id, "DHS", record_id, occurred, json.loads(page(fixture).text))


def accept(client, *events: bytes) -> None:
    """Accept ``events`` in one batch; their order is their arrival order (``received_at``, then the id)."""
    response = post_batch(client, list(events))
    assert [one["status"] for one in response.get_json()["results"]] == ["accepted"] * len(events)


def put_in_inbox(hub, event_id: str, record_id: str, document: str, **columns) -> None:
    """An inbox row written as it is, around the API (which would refuse or not store it)."""
    occurred_at = dt.datetime(2026, 11, 28, 6, 1, tzinfo=dt.UTC)
    row = {"event_id": event_id, "agency": "DHS", "record_id": record_id, "occurred_at": occurred_at}
    with hub.session() as session:
        session.execute(insert(PlatformEventInbox).values(**row, document=document, **columns))
        session.commit()


def outcomes(hub) -> dict[str, str]:
    with hub.session() as session:
        return dict(session.execute(select(PlatformEvent.event_id, PlatformEvent.outcome)).all())


def inbox(hub) -> list[str]:
    with hub.session() as session:
        return list(session.scalars(select(PlatformEventInbox.event_id).order_by(PlatformEventInbox.event_id)))


def outbox(hub) -> list[tuple[str, str]]:
    """(resident id, type) of every outbox row, in the order they were written."""
    with hub.session() as session:
        return list(session.execute(select(OutboxEvent.resident_id, OutboxEvent.type).order_by(OutboxEvent.id)))


def status(client, caller) -> str:
    return client.get("/v1/me/benefits", headers=caller.headers).get_json()["data"][0]["status"]


def picture(client, caller) -> list[tuple]:
    """Each benefit's program, status and amount as the resident reads them."""
    data = client.get("/v1/me/benefits", headers=caller.headers).get_json()["data"]
    return [(one["program"]["code"], one["status"], one["amount"]) for one in data]


def test_a_batch_renders_each_changed_resident_once_at_its_commit(client, hub, test_database, people):
    accept(
        client,
        event_of("evt_1", JAMES, "dhs_james_day7.json", 1),
        event_of("evt_2", JAMES, "dhs_james_day0.json", 2),
        event_of("evt_3", MARIA, "dhs_maria_day7.json", 3),
        event_of("evt_4", JAMES, "dhs_james_day7.json", 4),
    )
    with recorded_statements(test_database.engine) as seen:
        assert apply_accepted_events(hub) == 4
    renders = [s for s in seen if "resident_views" in s and s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert len(renders) == 2  # james (three events) and maria (one), once each
    assert outcomes(hub) == {"evt_1": "applied", "evt_2": "applied", "evt_3": "applied", "evt_4": "applied"}
    assert inbox(hub) == []
    assert status(client, people["james"]) == "active"  # evt_4's picture, served from the document rendered once
    with hub.session() as session:
        views = session.scalars(select(ResidentView).where(ResidentView.resident_id == people["james"].id))
        assert {view.locale for view in views} and all('"active"' in view.document for view in views)


def test_a_batch_is_applied_record_by_record_in_arrival_order(client, hub, people):
    accept(
        client,
        event_of("evt_1", JAMES, "dhs_james_day7.json", 5),
        event_of("evt_2", MARIA, "dhs_maria_day7.json", 5),
        event_of("evt_3", JAMES, "dhs_james_day0.json", 1),  # arrives after evt_1 but happened before it: stale
    )
    apply_accepted(hub)
    assert outcomes(hub) == {"evt_1": "applied", "evt_2": "applied", "evt_3": "stale"}
    residents = [resident for resident, _ in outbox(hub)]
    james, maria = people["james"].id, people["maria"].id
    assert residents == sorted(residents, key=lambda one: one != james)  # james's record first, then maria's
    assert {james, maria} == set(residents)
    assert status(client, people["james"]) == "active"


def test_a_poison_event_stays_with_its_records_later_events_while_other_records_apply(client, hub, people):
    accept(
        client, event_of("evt_2", JAMES, "dhs_james_day7.json", 2), event_of("evt_3", MARIA, "dhs_maria_day7.json", 3)
    )
    # a row whose document cannot be read (written around the API), received before the others
    put_in_inbox(hub, "evt_1", JAMES, "{not json", received_at=clock.now() - dt.timedelta(seconds=5))
    apply_accepted(hub)  # the drain runs until nothing it may apply is left, and ends
    assert inbox(hub) == ["evt_1", "evt_2"]  # james's later change waits behind the one that failed
    assert outcomes(hub) == {"evt_3": "applied"}
    assert {resident for resident, _ in outbox(hub)} == {people["maria"].id}
    assert status(client, people["james"]) == "pending"
    assert ("benefits.apply_platform_events", {}) not in hub.runner.pending

    with hub.session() as session:  # mended, the next drain once it is due applies both, in order
        session.get(PlatformEventInbox, "evt_1").document = json.dumps(json.loads(page("dhs_james_day0.json").text))
        session.commit()
    assert apply_accepted_events(hub) == 0  # its first backoff (tests/benefits/test_event_poison.py)
    clock.set_now(clock.now() + dt.timedelta(minutes=1))
    assert apply_accepted_events(hub) == 2
    assert outcomes(hub) == {"evt_1": "unchanged", "evt_2": "applied", "evt_3": "applied"}
    assert inbox(hub) == [] and status(client, people["james"]) == "active"


def test_a_duplicate_in_a_batch_changes_nothing_and_the_others_apply(client, hub, people):
    accept(client, event_of("evt_1", JAMES, "dhs_james_day7.json", 1))
    apply_accepted(hub)
    before = outbox(hub)
    accept(client, event_of("evt_2", MARIA, "dhs_maria_day7.json", 2))
    # evt_1 accepted again as it was being applied (the redelivery race)
    put_in_inbox(hub, "evt_1", JAMES, json.dumps(json.loads(page("dhs_james_day0.json").text)))
    assert apply_accepted_events(hub) == 2
    assert inbox(hub) == [] and outcomes(hub) == {"evt_1": "applied", "evt_2": "applied"}
    after = outbox(hub)
    assert after[: len(before)] == before and {r for r, _ in after[len(before) :]} == {people["maria"].id}
    assert status(client, people["james"]) == "active"  # the duplicate's older document was not applied


def test_a_concurrent_delivery_rolls_back_only_its_own_event(client, hub, test_database, people):
    """Another transaction remembers evt_2 between the drain's check and its insert (PostgreSQL only: on SQLite
    the drain holds the one writer, so no other delivery can win there)."""
    if not test_database.is_postgres:
        pytest.skip("SQLite writers take turns: a concurrent delivery cannot win the race")
    accept(
        client,
        event_of("evt_1", JAMES, "dhs_james_day7.json", 1),
        event_of("evt_2", MARIA, "dhs_maria_day7.json", 2),
        event_of("evt_3", MARIA, "dhs_maria_day0.json", 3),
    )
    maria_before = picture(client, people["maria"])
    won = []

    def deliver_concurrently(session, _context, _instances):
        if not won and any(isinstance(row, PlatformEvent) and row.event_id == "evt_2" for row in session.new):
            with test_database.engine.begin() as other:
                other.execute(
                    insert(PlatformEvent).values(
                        event_id="evt_2", agency="DHS", outcome="applied", occurred_at=clock.now()
                    )
                )
            won.append(True)

    event.listen(hub.session_factory, "before_flush", deliver_concurrently)
    try:
        assert apply_accepted_events(hub) == 3
    finally:
        event.remove(hub.session_factory, "before_flush", deliver_concurrently)
    assert won and inbox(hub) == []
    # evt_2's changes were rolled back with its savepoint, so maria still holds day 0's picture: evt_3 (day 0,
    # later) finds it unchanged, and maria has no outbox rows; james's evt_1 before it committed as usual
    assert outcomes(hub) == {"evt_1": "applied", "evt_2": "applied", "evt_3": "unchanged"}
    assert {resident for resident, _ in outbox(hub)} == {people["james"].id}
    assert status(client, people["james"]) == "active"  # rendered at the commit though a savepoint rolled back
    assert picture(client, people["maria"]) == maria_before  # evt_3 moved only her source's as_of


def failing_render(_gathered, _locale):
    raise RuntimeError("the document could not be rendered")


def test_a_batch_whose_commit_fails_leaves_every_event_in_the_inbox_and_nothing_stored(client, hub, people):
    """Each event's savepoint is released before the commit renders the documents: on SQLite a release outside
    ``BEGIN`` would commit that event (its snapshot, outbox rows and inbox delete) without its documents."""
    accept(
        client, event_of("evt_1", JAMES, "dhs_james_day7.json", 1), event_of("evt_2", MARIA, "dhs_maria_day7.json", 2)
    )
    documents.use_renderer(failing_render)
    try:
        with pytest.raises(RuntimeError, match="could not be rendered"):
            apply_accepted_events(hub)
    finally:
        documents.use_renderer(render)
    assert inbox(hub) == ["evt_1", "evt_2"]
    assert outcomes(hub) == {} and outbox(hub) == []
    assert status(client, people["james"]) == "pending"
    assert apply_accepted_events(hub) == 2 and inbox(hub) == [] and len(outcomes(hub)) == 2


def test_a_savepoint_released_in_a_transaction_that_only_read_commits_nothing(hub):
    """What every ``begin_nested`` caller relies on (a link, a consent, a used token written in a savepoint)."""
    with hub.session() as session:
        resident = create_resident(session)
        session.commit()
    with hub.session() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0  # a read first: no BEGIN on pysqlite
        with session.begin_nested():
            session.add(Consent(resident_id=resident.id, agency="DHS", granted=False))
        session.rollback()
    with hub.session() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0


def test_a_drain_submitted_while_another_runs_leaves_its_events_to_that_one(client, hub, people):
    """Drains only wait for each other (for SQLite's one writer, the interpreter lock, a Celery worker's slots):
    the second returns at once, and the running one, polling on, applies what was accepted."""
    hub.settings = dataclasses.replace(hub.settings, platform_events_drain_seconds=0.3)
    first: list[int] = []
    running = threading.Thread(target=lambda: first.append(apply_platform_events_job(hub)))
    running.start()  # finds the inbox empty and polls for 0.3 s
    try:
        time.sleep(0.05)
        accept(client, event_of("evt_1", JAMES, "dhs_james_day7.json", 1))
        assert apply_platform_events_job(hub) == 0  # the running drain has the turn
    finally:
        running.join(timeout=10)
    assert first == [1] and inbox(hub) == [] and outcomes(hub) == {"evt_1": "applied"}
    assert apply_platform_events_job(hub) == 0  # the turn was given back: this one ran, and found nothing


def test_on_postgresql_a_drain_in_another_process_holds_the_turn(client, hub, test_database, people):
    """The turn is an advisory lock: while another worker's drain holds it, a drain here applies nothing."""
    if not test_database.is_postgres:
        pytest.skip("on SQLite only a process's own drains are kept apart")
    accept(client, event_of("evt_1", JAMES, "dhs_james_day7.json", 1))
    with test_database.engine.connect() as other:  # another Celery process's drain
        assert other.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        assert apply_platform_events_job(hub) == 0 and inbox(hub) == ["evt_1"]
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        other.commit()
    assert apply_platform_events_job(hub) == 1 and inbox(hub) == []
    with test_database.engine.connect() as other:  # and the drain gave the lock back
        assert other.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        other.commit()


def take_the_writer(hub) -> None:
    """What an accept does with SQLite's writer: take it, write, give it back."""
    with write_session(hub.session_factory) as session:
        session.execute(select(func.count()).select_from(PlatformEventInbox))
        session.commit()


def test_a_drain_ends_its_batch_when_a_request_waits_for_the_sqlite_writer(client, hub, test_database, people):
    """On SQLite the drain holds the one writer for its batch: a request that waits for it (an accept) has it
    after the event being applied, not after the whole batch."""
    if test_database.is_postgres:
        pytest.skip("PostgreSQL has no in-process writer to wait for")
    accept(
        client,
        event_of("evt_1", JAMES, "dhs_james_day7.json", 1),
        event_of("evt_2", MARIA, "dhs_maria_day7.json", 2),
    )
    waiting = []

    def request_arrives(session, _context):
        if not waiting:
            waiting.append(threading.Thread(target=take_the_writer, args=(hub,)))
            waiting[0].start()
            deadline = time.monotonic() + 5
            while not writers_waiting() and time.monotonic() < deadline:
                time.sleep(0.001)

    event.listen(hub.session_factory, "after_flush", request_arrives)
    try:
        assert apply_accepted_events(hub) == 1  # james's event, then the request's turn
    finally:
        event.remove(hub.session_factory, "after_flush", request_arrives)
        waiting[0].join(timeout=5)
    assert inbox(hub) == ["evt_2"] and outcomes(hub) == {"evt_1": "applied"}
