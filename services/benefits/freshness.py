"""Pure: how each source's copy is described to the resident (and, with its last attempt and error, to support):
``fresh``, ``stale``, ``unavailable`` or ``not_linked``. Reads and support's views both describe sources here."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Container, Iterable, Mapping

from services.models.benefits import BenefitSource

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


@dataclasses.dataclass(frozen=True)
class SourceState:
    """One agency's copy as the resident sees it (``agency``, ``status``, ``as_of``) and as support sees it (the
    last attempt and error too, and whether the resident shares the agency at all)."""

    agency: str
    status: str
    as_of: dt.datetime | None = None
    attempted_at: dt.datetime | None = None
    error_kind: str | None = None
    error_at: dt.datetime | None = None
    shared: bool = True


def describe_sources(
    agencies: Iterable[str],
    linked: Container[str],
    rows: Mapping[str, BenefitSource],
    *,
    now: dt.datetime,
    fresh_seconds: float,
    withheld: Container[str] = (),
) -> list[SourceState]:
    """Per agency, in the order given: ``not_linked`` without records there, else the state of its stored copy."""
    states = []
    for agency in agencies:
        shared = agency not in withheld
        if agency not in linked:
            states.append(SourceState(agency, NOT_LINKED, shared=shared))
            continue
        row = rows.get(agency)
        as_of, error_at = (row.as_of, row.error_at) if row else (None, None)
        states.append(
            SourceState(
                agency=agency,
                status=source_status(as_of, error_at, now, fresh_seconds),
                as_of=as_of,
                attempted_at=row.attempted_at if row else None,
                error_kind=row.error_kind if row else None,
                error_at=error_at,
                shared=shared,
            )
        )
    return states
