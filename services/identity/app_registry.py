"""App registrations: which client ids may hold which kind of hub token (``app_clients``), and the per-process
cache every authenticated request asks.

Every authenticated request checks that its token's audience is still a registered app of the right kind;
``AppRegistry`` keeps that off the database (at most one query per ``ttl_seconds`` per process). Deactivating an
app takes effect within that time; its sessions should be revoked too.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from services.db import commits
from services.models.app_clients import AppClient

SANDBOX_APPS = (
    ("sandbox-app", "Sandbox resident app", "resident"),
    ("support-console", "Support console", "staff"),
)


class AppRegistry:
    def __init__(self, ttl_seconds: float = 30.0) -> None:
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._loaded: tuple[float, dict[str, str]] | None = None

    def kind_of(self, session: Session | Connection, client_id: str) -> str | None:
        with self._lock:
            loaded = self._loaded
        if loaded is None or time.monotonic() - loaded[0] >= self._ttl or client_id not in loaded[1]:
            stmt = select(AppClient.client_id, AppClient.kind).where(AppClient.active.is_(True))
            kinds = {client: kind for client, kind in session.execute(stmt)}
            loaded = (time.monotonic(), kinds)
            with self._lock:
                self._loaded = loaded
        return loaded[1].get(client_id)

    def forget(self) -> None:
        """Drop this process's cached list, so an app an operator just added, suspended or resumed
        (``flask apps …``) counts at once here; other processes see it within ``ttl_seconds``."""
        with self._lock:
            self._loaded = None


@commits
def ensure_app_clients(session: Session, apps: tuple[tuple[str, str, str], ...]) -> int:
    """Register each ``(client_id, name, kind)`` that is not registered yet; return how many were added. Commits:
    a whole step of its own (``flask sandbox seed``, a test's set-up)."""
    existing = set(session.scalars(select(AppClient.client_id)))
    added = 0
    for client_id, name, kind in apps:
        if client_id not in existing:
            session.add(AppClient(client_id=client_id, name=name, kind=kind))
            added += 1
    session.commit()
    return added


def find_app_client(session: Session, client_id: str) -> AppClient | None:
    return session.scalar(select(AppClient).where(AppClient.client_id == client_id, AppClient.active.is_(True)))
