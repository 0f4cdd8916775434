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


def _closing(key: str, what: str):
    """A teardown that closes the request's ``g.<key>`` (a session or a connection), or, when closing meets a
    connection that died with the database, invalidates it: the pool drops it and the response stands."""

    def close(_exc: BaseException | None) -> None:
        held = g.pop(key, None)
        if held is None:
            return
        try:
            held.close()
        except Exception as error:
            log.warning(f"closing the request's {what} failed", extra={"error_type": type(error).__name__})
            with contextlib.suppress(Exception):
                held.invalidate()

    return close


_close_session = _closing("db_session", "session")
_close_read_connection = _closing("db_read_connection", "read connection")


def register(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
    app.teardown_appcontext(_close_read_connection)
