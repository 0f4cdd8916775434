"""One SQLAlchemy session per request, closed (rolled back if uncommitted) when the request ends.

Closing never raises: an error escaping a teardown function reaches the WSGI server, which answers with its own
HTML page instead of the response already made. A connection that died with the database is discarded.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, g
from sqlalchemy.orm import Session

from api.current_hub import current_hub

log = logging.getLogger("hub.database")


def db() -> Session:
    session = g.get("db_session")
    if session is None:
        session = g.db_session = current_hub().session_factory()
    return session


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
