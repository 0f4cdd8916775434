"""Counting the SQL a request runs: statement-count tests read what reaches the database's cursor."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@contextlib.contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement ``engine`` sends to a cursor inside the block, in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries(seen: list[str], control: tuple[str, ...] = TRANSACTION_CONTROL) -> list[str]:
    """The statements that are not transaction control."""
    return [s for s in seen if not s.lstrip().upper().startswith(control)]
