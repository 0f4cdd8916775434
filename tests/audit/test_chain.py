"""The audit log is a hash chain: it verifies when untouched and names the first event someone changed."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, text

from services import clock
from services.audit import Actor, event_hash, record_access, verify_chain
from services.models.audit import GENESIS_HASH, AuditEvent

SOPHIE = Actor("staff", "staff-sophie", "Sophie", "support")


def append(session, count: int, *, resident_id: str = "res-1") -> list[AuditEvent]:
    events = []
    for number in range(count):
        events.append(
            record_access(
                session,
                SOPHIE,
                "resident.benefits.read",
                resident_id=resident_id,
                route="/v1/admin/residents/<resident_id>/benefits",
                fields=["benefits"],
                reason=f"Caller asked about SNAP, call {number}",
                request_id=f"req-{number:08d}",
            )
        )
        session.commit()
    return events


def tamper(engine, statement: str, **params) -> None:
    """What an attacker with the database superuser could do: switch the guard off and edit rows."""
    with engine.begin() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        connection.execute(text(statement), params)
        if postgres:
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))


def test_events_chain_from_the_genesis_hash_and_verify(db_session):
    with clock.frozen(dt.datetime(2026, 3, 2, 14, 5, 7, 123456, tzinfo=dt.UTC)):
        events = append(db_session, 3)

    assert [event.id for event in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    db_session.expire_all()
    stored = db_session.get(AuditEvent, 2)
    assert event_hash(stored) == stored.hash
    assert verify_chain(db_session).ok and verify_chain(db_session).checked == 3


def test_an_empty_log_verifies(db_session):
    result = verify_chain(db_session)
    assert result.ok and result.checked == 0


def test_break_glass_events_are_flagged_for_review(db_session):
    omar = Actor("staff", "staff-omar", "Omar", "supervisor")
    event = record_access(db_session, omar, "resident.benefits.read", resident_id="r", reason="x", break_glass=True)
    assert event.flagged_for_review is True


def test_audit_verify_command_passes_on_an_untouched_chain(app, db_session):
    append(db_session, 4)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "4 events verified" in result.output


@pytest.mark.parametrize(
    ("statement", "broken_id"),
    [
        ("UPDATE audit_events SET reason = 'routine check' WHERE id = 3", 3),
        ("UPDATE audit_events SET occurred_at = occurred_at WHERE id = 3", None),
        ("DELETE FROM audit_events WHERE id = 2", 2),
    ],
    ids=["edited-reason", "same-values-rewritten", "deleted-row"],
)
def test_audit_verify_names_the_first_event_someone_changed(app, db_session, test_database, statement, broken_id):
    append(db_session, 5)
    tamper(test_database.engine, statement)

    result = app.test_cli_runner().invoke(args=["audit", "verify"])

    if broken_id is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert f"BROKEN at event {broken_id}" in result.output
    assert f"{broken_id - 1} events verified before it" in result.output


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(db_session, test_database):
    append(db_session, 4)
    tamper(
        test_database.engine, "UPDATE audit_events SET reason = 'routine', hash = :forged WHERE id = 2", forged="f" * 64
    )

    result = verify_chain(db_session)

    assert not result.ok
    assert result.first_broken_id == 2  # its hash no longer matches its content
    db_session.expire_all()
    event = db_session.get(AuditEvent, 2)
    tamper(test_database.engine, "UPDATE audit_events SET hash = :rehashed WHERE id = 2", rehashed=event_hash(event))
    result = verify_chain(db_session)
    assert (result.ok, result.first_broken_id) == (False, 3)
    assert "prev_hash" in result.reason


def test_events_deleted_from_the_end_are_caught_by_the_chain_head(db_session, test_database):
    append(db_session, 5)
    tamper(test_database.engine, "DELETE FROM audit_events WHERE id >= 4")

    result = verify_chain(db_session)

    assert (result.ok, result.first_broken_id, result.checked) == (False, 4, 3)


def test_concurrent_appends_keep_one_unbroken_chain(hub):
    """Many writers at once (threads, each its own connection): every event lands, in one chain."""
    writers, each = 8, 10
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            start.wait()
            with hub.session() as session:
                append(session, each, resident_id=f"res-{number}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with hub.session() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == writers * each
        result = verify_chain(session)
    assert result.ok, result.reason
    assert result.checked == writers * each


@pytest.fixture
def postgres_only(test_database):
    if not test_database.is_postgres:
        pytest.skip("the append-only guard is a PostgreSQL trigger")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET reason = 'nothing to see'", "DELETE FROM audit_events", "TRUNCATE audit_events"],
)
def test_the_apps_connection_cannot_change_or_remove_audit_rows(postgres_only, hub, db_session, statement):
    append(db_session, 2)
    with hub.engine.connect() as connection, pytest.raises(Exception, match="append-only"):
        connection.execute(text(statement))
    with hub.session() as session:
        assert verify_chain(session).checked == 2
