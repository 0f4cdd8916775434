"""Migration 0007_link_proof retires the letter-code links made before a link had to prove anything, with
everything they fed, and marks the person index's links as proven by identity. Runs on the suite's database
engine (SQLite, or PostgreSQL with TEST_DATABASE_URL) in a database of its own."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests import database as test_databases

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def database_at_0006(tmp_path):
    database = test_databases.TestDatabase(tmp_path)
    database.create("0006_reconcile_index")
    yield database
    database.drop()


def _insert(connection, table: str, **row) -> None:
    connection.execute(sa.Table(table, sa.MetaData(), autoload_with=connection).insert().values(**row))


def _resident(connection, resident_id: str) -> None:
    _insert(
        connection,
        "residents",
        id=resident_id,
        issuer="idp",
        subject=resident_id,
        locale="en",
        time_zone="America/Chicago",
        identity_verified=True,
        created_at=NOW,
        updated_at=NOW,
    )


def _link(connection, resident_id: str, agency: str, record_id: str, method: str) -> None:
    _insert(
        connection,
        "resident_links",
        id=f"{resident_id}-{agency}-{record_id}",
        resident_id=resident_id,
        agency=agency,
        record_id=record_id,
        platform_person_id="PER1",
        method=method,
        linked_at=NOW,
    )


def _benefit(connection, resident_id: str, agency: str, key: str) -> str:
    benefit_id = f"b-{resident_id}-{key}"
    _insert(
        connection,
        "benefits",
        id=benefit_id,
        resident_id=resident_id,
        agency=agency,
        source_key=key,
        program_code="SNAP",
        case_number=key,
        status="active",
        document={},
        created_at=NOW,
        updated_at=NOW,
    )
    _insert(
        connection,
        "benefit_actions",
        id=f"a-{benefit_id}",
        benefit_id=benefit_id,
        resident_id=resident_id,
        agency=agency,
        program_code="SNAP",
        source_key="v1",
        kind="document",
        title="Proof",
        state="open",
        sort_on=NOW.date(),
        updated_at=NOW,
    )
    return benefit_id


def _message(connection, resident_id: str, agency: str, device_id: str) -> None:
    message_id = f"m-{resident_id}-{agency}"
    _insert(
        connection,
        "notification_messages",
        id=message_id,
        resident_id=resident_id,
        dedupe_key=message_id,
        category="documents",
        template_key="documents.requested",
        agency=agency,
        locale="en",
        title="t",
        body="b",
        push_title="t",
        push_body="b",
        urgent=False,
        created_at=NOW,
    )
    _insert(
        connection,
        "push_deliveries",
        id=f"d-{message_id}",
        message_id=message_id,
        device_id=device_id,
        send_round=1,
        kind="first",
        state="queued",
        attempts=0,
        next_attempt_at=NOW,
        created_at=NOW,
    )
    _insert(
        connection,
        "outbox_events",
        resident_id=resident_id,
        agency=agency,
        type="notice.posted",
        payload={},
        dedupe_key=f"o-{message_id}",
        created_at=NOW,
        attempts=0,
    )


def _rows(connection, table: str, *columns: str) -> list[tuple]:
    stmt = sa.text(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}")  # noqa: S608
    return [tuple(row) for row in connection.execute(stmt)]


def test_unproven_letter_links_are_retired_with_what_they_fed(database_at_0006):
    engine = database_at_0006.engine
    with engine.begin() as connection:
        for resident_id in ("r1", "r2"):
            _resident(connection, resident_id)
        _insert(
            connection,
            "devices",
            id="dev1",
            resident_id="r1",
            platform="android",
            app_id="app",
            push_token="t",
            token_hash="h1",
            token_suffix="t",
            active=True,
            created_at=NOW,
            registered_at=NOW,
        )
        _link(connection, "r1", "DHS", "IES1", "mpi")  # the index matched r1: stays
        _link(connection, "r1", "DHS", "IES9", "letter_code")  # someone else's DHS record, by letter: goes
        _link(connection, "r1", "DCEO", "EA9", "letter_code")  # the only DCEO link, by letter: goes
        _link(connection, "r2", "HFS", "hfs-2", "mpi")
        for agency, key in (("DHS", "own"), ("DHS", "foreign"), ("DCEO", "foreign")):
            _benefit(connection, "r1", agency, f"{agency}-{key}")
        _benefit(connection, "r2", "HFS", "HFS-own")
        for agency in ("DHS", "DCEO"):
            _insert(connection, "benefit_sources", resident_id="r1", agency=agency, content_hash="x", as_of=NOW)
            _message(connection, "r1", agency, "dev1")
    test_databases.upgrade(engine)
    with engine.connect() as connection:
        assert _rows(connection, "resident_links", "resident_id", "agency", "record_id", "method", "proof") == [
            ("r1", "DHS", "IES1", "mpi", "identity"),
            ("r2", "HFS", "hfs-2", "mpi", "identity"),
        ]
        # nothing from the retired links is served again; the proven DHS record is fetched afresh
        assert _rows(connection, "benefits", "resident_id", "agency") == [("r2", "HFS")]
        assert _rows(connection, "benefit_actions", "resident_id") == [("r2",)]
        assert _rows(connection, "benefit_sources", "resident_id", "agency") == []
        # DCEO is no longer linked at all: its messages, pushes and pending events go; DHS's inbox stays
        assert _rows(connection, "notification_messages", "agency") == [("DHS",)]
        assert _rows(connection, "push_deliveries", "message_id") == [("m-r1-DHS",)]
        assert _rows(connection, "outbox_events", "agency") == [("DHS",)]
