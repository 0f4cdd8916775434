"""Pure: how a source's copy is described to the resident: ``fresh``, ``stale``, ``unavailable``, ``not_linked``."""

from __future__ import annotations

import datetime as dt

FRESH, STALE, UNAVAILABLE, NOT_LINKED = "fresh", "stale", "unavailable", "not_linked"


def source_status(
    as_of: dt.datetime | None, error_at: dt.datetime | None, now: dt.datetime, fresh_seconds: float
) -> str:
    """No good copy yet → unavailable; a copy older than ``fresh_seconds``, or a failure since it → stale."""
    if as_of is None:
        return UNAVAILABLE
    if error_at is not None and error_at >= as_of:
        return STALE
    if (now - as_of).total_seconds() > fresh_seconds:
        return STALE
    return FRESH


def wants_refresh(status: str) -> bool:
    return status in (STALE, UNAVAILABLE)
