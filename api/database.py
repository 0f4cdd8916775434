"""One SQLAlchemy session per request, closed (rolled back if uncommitted) when the request ends; and, for the
reads that need no ORM (the token's session check, the stored and lean resident reads), one pooled connection
outside any transaction (``read_connection``).

On PostgreSQL the read connection is in autocommit: each statement is its own transaction, so a read is its
statements and nothing else (no ``BEGIN``, no ``ROLLBACK`` when it goes back to the pool: two round trips fewer
per read), and every statement sees what was committed before it, as under READ COMMITTED. A request that goes on
to need the ORM (a full read, a write) gives the read connection back to the pool before its session takes one,
so a request never holds two.

Closing never raises: an error escaping a teardown function reaches the WSGI server, which answers with its own
HTML page instead of the response already made. A connection that died with the database is discarded.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from api.current_hub import current_hub

log = logging.getLogger("hub.database")


def db() -> Session:
    session = g.get("db_session")
    if session is None:
        _close_read_connection(None)
        session = g.db_session = current_hub().session_factory()
    return session


def read_connection() -> Connection:
    """The request's connection for plain reads: its session's, once it has one, else a pooled one of its own."""
    session = g.get("db_session")
    if session is not None:
        return session.connection()
    connection = g.get("db_read_connection")
    if connection is None:
        connection = current_hub().engine.connect()
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        g.db_read_connection = connection
    return connection


def _close_read_connection(_exc: BaseException | None) -> None:
    connection = g.pop("db_read_connection", None)
    if connection is None:
        return
    try:
        connection.close()
    except Exception as error:  # the connection died with the database: drop it, keep the response
        log.warning("closing the request's read connection failed", extra={"error_type": type(error).__name__})
        with contextlib.suppress(Exception):
            connection.invalidate()


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except Exception as error:  # the rollback met a dead connection: drop it, keep the response
        log.warning("closing the request's session failed", extra={"error_type": type(error).__name__})
        with contextlib.suppress(Exception):
            session.invalidate()


def register(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
    app.teardown_appcontext(_close_read_connection)
