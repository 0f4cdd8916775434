"""The database: declarative base, engine options right for SQLite and PostgreSQL, session factory, and the marker
of the one exception to the commit rule (``@commits``).

The commit rule: whoever opens a session commits it (a route the request's session, a job or a command the
session it opens with ``hub.session()``, a service function the sessions it opens itself). A function given a
session never commits it, unless it says so on its ``def`` line with ``@commits``, and its docstring says why
(an audited refusal that must stay written while the request fails, a claim taken before sending, a read that
must see other transactions' writes). ``tests/test_commit_rule.py`` holds every module to it.
"""

from __future__ import annotations

import datetime as dt
import select
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import DateTime, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

F = TypeVar("F", bound=Callable)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A public id: opaque, unguessable, 32 hex characters (``String(32)`` primary keys use it as default)."""
    return uuid.uuid4().hex


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both SQLite (which drops the zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type:
        return dt.datetime  # keyset cursors restore their values by the column's python type

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use services.clock.now()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False, connect_timeout: int = 3) -> Engine:
    """An engine for ``url``: SQLite gets foreign keys, WAL and a busy timeout; PostgreSQL pings a pooled
    connection that sat idle (``ping_when_idle``: one that died in a restart is replaced before use) and gives up
    connecting after ``connect_timeout`` seconds (an unreachable host answers a request with a 503, not after the
    system's two-minute TCP timeout).
    Bound parameters (emails, case numbers, record ids) never appear in SQLAlchemy's logs or exception messages."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, hide_parameters=True, connect_args={"check_same_thread": False, "timeout": 30}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        connect_args={"connect_timeout": max(2, connect_timeout)},  # libpq's minimum is 2 s
    )
    ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 10.0


def ping_when_idle(engine: Engine, idle_seconds: float = IDLE_PING_SECONDS) -> None:
    """Check a pooled connection with a ping before use only when something says it may be dead: its socket has
    something to read (an idle connection has nothing to read until the server ends it: a restart or a crash
    sends its farewell or closes the socket) or it sat in the pool for ``idle_seconds`` or more (a connection
    dropped silently on the way). A dead one is replaced: SQLAlchemy retries the checkout with a new connection.

    ``pool_pre_ping`` pings at every checkout: one more round trip per request (a quarter of a stored read's on
    PostgreSQL); looking at the socket is one system call. Should a restart still catch a connection in use, the
    statement fails (a 503), SQLAlchemy invalidates every connection the pool holds and the next requests
    connect afresh (``tests/api/test_database_outage.py``)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        returned = record.info.pop("checked_in_at", None)
        if returned is None:  # just connected
            return
        if time.monotonic() - returned < idle_seconds and not _has_input(dbapi_connection):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError("the pooled connection did not answer a ping") from error


def _has_input(dbapi_connection) -> bool:
    """Whether the connection's socket is readable (or closed) now, without waiting."""
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True  # no socket to look at: ping


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    """Open the transaction with ``BEGIN IMMEDIATE`` before a savepoint that would otherwise open it.

    pysqlite begins a transaction only before a data-changing statement, so a session that has only read when it
    takes a savepoint sends ``SAVEPOINT`` outside any transaction: SQLite then makes the savepoint the
    transaction, its ``RELEASE`` commits everything so far, and a later rollback undoes nothing of it (the event
    drain's batch, a link or consent written in a savepoint). ``IMMEDIATE`` also takes the write lock now, under
    the busy timeout: a deferred transaction that read first and then writes fails at once ("database is locked")
    when another connection wrote meanwhile. A session that already wrote is in pysqlite's transaction: nothing
    to do (SQLAlchemy's "Serializable isolation / Savepoints / Transactional DDL" notes for pysqlite)."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def dialect_insert(session: Session):
    """The dialect's ``insert`` (SQLite or PostgreSQL), which has ``on_conflict_do_nothing``."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def commits(func: F) -> F:
    """Marks a function that commits the session it is given (see the commit rule above); changes nothing else."""
    func.commits_given_session = True  # type: ignore[attr-defined]
    return func
