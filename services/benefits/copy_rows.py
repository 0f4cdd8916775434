"""Plain rows into a PostgreSQL table by ``COPY … FROM STDIN`` (bulk reconciliation's baselines).

A multi-row ``INSERT`` executemany is, per row, SQLAlchemy's bind processing and psycopg's parameter adaptation
in Python and a statement's worth of planning in the server; ``COPY`` streams the rows once, adapted by psycopg's
C ``write_row``, through the session's own driver connection (the same transaction: a page is written with its
checkpoint or not at all). Measured in ``bench/reconciliation.py`` (the README's "Bulk reconciliation").

The values are what the ``INSERT`` would bind, made here because ``COPY`` bypasses SQLAlchemy's types:

- ``UTCDateTime``: aware datetimes only (a naive one raises, as the type does), turned to UTC;
- ``JSON``: the text ``json.dumps(value)``, what SQLAlchemy's psycopg dialect stores in a ``json`` column (kept
  verbatim by PostgreSQL: the same bytes as the ``INSERT``'s);
- everything else as psycopg adapts it for an ``INSERT`` (str, int, bool, date, None).

A NUL in a string is refused by PostgreSQL either way (text cannot hold it).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table

from services.db import UTCDateTime


def copy_rows(connection: Connection, table: Table, rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> None:
    """``rows`` (dicts with at least ``columns``) into ``table`` by ``COPY``, on ``connection``'s transaction."""
    converted = [(at, _converter(table.c[name].type)) for at, name in enumerate(columns)]
    converted = [(at, function) for at, function in converted if function is not None]
    values_of = operator.itemgetter(*columns)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = list(values_of(row))
            for at, function in converted:
                values[at] = function(values[at])
            copy.write_row(values)


def _converter(column_type):
    if isinstance(column_type, UTCDateTime):
        return _utc
    if isinstance(column_type, JSON):
        return stored_json
    return None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use services.clock.now()")
    return value.astimezone(dt.UTC)


def stored_json(value: Any) -> str | None:
    """The text SQLAlchemy's ``JSON`` stores through psycopg: ``json.dumps(value)`` (psycopg's default dumps);
    None is SQL NULL (no column written here takes None). orjson plus re-spacing its compact output to these
    bytes was measured slower than ``json``'s C encoder for a record's document (2.1 s against 1.5 s for 100,000
    of 1.2 kB): the encoding SQLAlchemy's profile showed was its wrapping around ``json``, not ``json``."""
    return None if value is None else json.dumps(value)
