"""Whose turn it is to drain the platform-event inbox: one drain at a time, in a process and, on PostgreSQL,
across all of them.

Drains only wait for each other. In a process they share SQLite's one writer (a profile of the intake
benchmark found 40 % of the drain threads' samples waiting for it, on pool threads that dispatch and sends
need) or the interpreter lock; across Celery processes a drain that polls for more holds its worker slot, so
two of them held both slots of a worker (``py-spy dump`` of the latency benchmark: 21 of 24 samples), and the
dispatch and the sends that turn applied events into pushes waited up to a drain's whole turn behind them. A
drain applies batches far faster than a worker slot sends pushes, so one at a time costs no throughput here;
``FOR UPDATE SKIP LOCKED`` still keeps two drains apart should a turn ever overlap (a lock lost with its
connection).

On PostgreSQL the turn is a session advisory lock (``pg_try_advisory_lock``) held on a connection of its own
for the drain's duration: a worker that dies releases it with its connection. On SQLite only the process's own
drains are kept apart (another process's drain waits for the writer anyway).
"""

from __future__ import annotations

import logging
import threading
import zlib

from sqlalchemy import text
from sqlalchemy.engine import Connection

from services.hub import Hub

log = logging.getLogger("hub.platform_events")
LOCK_KEY = zlib.crc32(b"benefits.apply_platform_events")  # the advisory lock's key: one for every drain

_running: set[int] = set()  # the hubs (by id) whose drain runs in this process
_lock = threading.Lock()


class Turn:
    """A drain's turn, taken with ``take`` and given back with ``release`` (whatever happened between)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._connection: Connection | None = None

    def take(self) -> bool:
        """Whether the turn was free and is now this drain's."""
        with _lock:
            if id(self.hub) in _running:
                return False
            _running.add(id(self.hub))
        try:
            taken = self.hub.engine.dialect.name != "postgresql" or self._take_across_processes()
        except BaseException:  # the database is out: the turn stays free for the drain that finds it back
            self._leave()
            raise
        if not taken:
            self._leave()
        return taken

    def release(self) -> None:
        connection, self._connection = self._connection, None
        try:
            if connection is not None:
                _unlock(connection)
        finally:
            self._leave()

    def _take_across_processes(self) -> bool:
        connection = self.hub.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY})
        except Exception:
            connection.close()
            raise
        if not taken:
            connection.close()
            return False
        self._connection = connection
        return True

    def _leave(self) -> None:
        with _lock:
            _running.discard(id(self.hub))


def _unlock(connection: Connection) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
        connection.close()
    except Exception:  # the lock goes with the connection: closed for good, not pooled still holding it
        log.warning("the drain's turn could not be given back; its connection is dropped", exc_info=True)
        connection.invalidate()
