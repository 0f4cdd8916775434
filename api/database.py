"""One SQLAlchemy session per request, closed (rolled back if uncommitted) when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def db() -> Session:
    session = g.get("db_session")
    if session is None:
        session = g.db_session = current_app.extensions["hub"].session_factory()
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def register(app: Flask) -> None:
    app.teardown_appcontext(_close_session)
