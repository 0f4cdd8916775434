"""The hub's long-lived objects (settings, engine, sessions, background runner), shared by the web app,
the in-process worker, Celery workers and CLI commands; built once per process from ``Settings``."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from services.db import make_engine, make_session_factory
from services.readiness import Readiness, database_check, redis_check


@dataclasses.dataclass
class HubContext:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    readiness: Readiness
    runner: Any = None  # services.background.Runner, set by build_context
    components: dict[str, Any] = dataclasses.field(default_factory=dict)
    _building: threading.RLock = dataclasses.field(default_factory=threading.RLock, repr=False, compare=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session for background work: committed by the caller, always closed."""
        session = self.session_factory()
        try:
            yield session
        finally:
            session.close()

    def component(self, name: str) -> Any:
        """A lazily built collaborator (platform client, push transport, …) registered by its package. Built
        once per process even when the first requests arrive together: a platform client built twice would
        split its breakers, bulkheads and pools between requests."""
        found = self.components.get(name)
        if found is not None:
            return found
        with self._building:
            if name not in self.components:
                from services.components import build_component

                self.components[name] = build_component(name, self)
            return self.components[name]


def build_context(settings: Settings, *, runner: Any = None) -> HubContext:
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        echo=settings.sql_echo,
        connect_timeout=settings.database_connect_timeout_seconds,
    )
    readiness = Readiness()
    readiness.add("database", database_check(engine))
    broker = settings.celery_broker_url or settings.redis_url
    if settings.worker_mode == "celery" and broker.startswith("redis"):
        readiness.add("broker", redis_check(broker, settings.redis_timeout_seconds))
    context = HubContext(settings, engine, make_session_factory(engine), readiness)
    if runner is None:
        from services.background import runner_for

        runner = runner_for(context)
    context.runner = runner
    return context
