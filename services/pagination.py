"""Keyset (cursor) pages over SQLAlchemy 2 ``select()`` statements: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.errors import InvalidInput


@dataclasses.dataclass
class Page:
    items: list[Any]
    next_after: dict[str, Any] | None


def keyset_page(
    session: Session,
    stmt: Select,
    *,
    key: Sequence[InstrumentedAttribute],
    limit: int,
    after: dict[str, Any] | None,
    descending: bool = True,
) -> Page:
    """One page of ``stmt`` ordered by ``key`` (the last column must be unique); ``after`` comes from a cursor."""
    names = [column.key for column in key]
    if after is not None:
        try:
            values = [_restore(column, after[name]) for column, name in zip(key, names, strict=True)]
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInput(
                "The cursor is not one this API issued.", errors={"cursor": ["Not a valid cursor."]}
            ) from error
        row = tuple_(*key)
        stmt = stmt.where(row < tuple_(*values) if descending else row > tuple_(*values))
    order = [column.desc() if descending else column.asc() for column in key]
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], {name: _dump(getattr(last, name)) for name in names})


def _dump(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def _restore(column: InstrumentedAttribute, value: Any) -> Any:
    python_type = column.type.python_type
    if python_type is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if python_type is dt.date:
        return dt.date.fromisoformat(value)
    return python_type(value)
