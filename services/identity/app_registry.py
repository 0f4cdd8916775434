"""Which client ids are registered, and for which kind of token: a short per-process cache over ``app_clients``.

Every authenticated request checks that its token's audience is still a registered app of the right kind;
the cache keeps that off the database (at most one query per ``ttl_seconds`` per process). Deactivating an
app takes effect within that time; its sessions should be revoked too.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.components import component
from services.models.apps import AppClient


class AppRegistry:
    def __init__(self, ttl_seconds: float = 30.0) -> None:
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._loaded: tuple[float, dict[str, str]] | None = None

    def kind_of(self, session: Session, client_id: str) -> str | None:
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
        with self._lock:
            self._loaded = None


@component("app_registry")
def build_app_registry(context) -> AppRegistry:
    return AppRegistry()
