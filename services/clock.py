"""The one clock. Code asks ``clock.now()``; tests set it with ``clock.set_now`` / ``clock.frozen``."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return _fixed if _fixed is not None else dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return now().date()


def set_now(value: dt.datetime | None) -> None:
    global _fixed
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock only holds timezone-aware datetimes")
    _fixed = value


@contextlib.contextmanager
def frozen(value: dt.datetime) -> Iterator[None]:
    previous = _fixed
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
