"""Plain rows into a PostgreSQL table by ``COPY … FROM STDIN`` (bulk reconciliation's baselines).

A multi-row ``INSERT`` executemany is, per row, SQLAlchemy's bind processing and psycopg's parameter adaptation
in Python and a statement's worth of planning in the server; ``COPY`` streams the rows once, adapted by psycopg's
C ``write_row``, through the session's own driver connection (the same transaction: a page is written with its
checkpoint or not at all). Measured in ``bench/reconciliation.py`` (the README's "Bulk reconciliation").

The values are what the ``INSERT`` would bind, made here because ``COPY`` bypasses SQLAlchemy's types:

- ``UTCDateTime``: aware datetimes only (a naive one raises, as the type does), turned to UTC;
- ``JSON``: the value SQLAlchemy's psycopg dialect stores (``json.dumps``), written by orjson (``stored_json``);
- everything else as psycopg adapts it for an ``INSERT`` (str, int, bool, date, None).

A NUL in a string is refused by PostgreSQL either way (text cannot hold it).
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
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


_PASSTHROUGH = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def stored_json(value: Any) -> str | None:
    """``value`` as JSON text for a ``json`` column, by orjson: the value ``json.dumps`` (what SQLAlchemy's JSON
    type stores through psycopg) gives, read back equal, in other bytes (no spaces after ``,`` and ``:``,
    non-ASCII as UTF-8 rather than ``\\u`` escapes), which nothing reads: the column is ``json`` and every
    reader parses it. The stdlib's encoder was 8 % of a first run's samples (``bench/reconciliation.py``),
    orjson's is several times faster. What orjson refuses takes ``json``, which then stores it or raises as it
    does for an ``INSERT``: an integer beyond 64 bits, a non-str key (``json`` writes it as a string), a lone
    surrogate, and (passed through) subclasses of str, int and dict, datetimes and dataclasses, which ``json``
    writes otherwise or refuses. Left different: NaN and infinities (orjson writes ``null``, ``json`` ``NaN``,
    which PostgreSQL refuses) and ``uuid.UUID`` or a plain ``Enum`` (orjson writes them, ``json`` raises); no
    document holds them (``BenefitRecord.document()``: strings, integers, booleans, None). None is SQL NULL (no
    column written here takes None)."""
    if value is None:
        return None
    try:
        return orjson.dumps(value, option=_PASSTHROUGH).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return json.dumps(value)
