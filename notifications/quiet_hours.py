"""Quiet hours, pure: is a moment inside a resident's quiet window, and when does that window end.

The window is wall-clock time in the resident's IANA zone (``22:00``–``07:00`` means every night, across
midnight); ``start == end`` means no quiet hours. Daylight saving is zoneinfo's job: the window is compared
in local time, and its end is converted back to UTC for the local date it falls on. An end inside the
spring-forward gap is read with the offset before the jump (02:30 that night ends at 03:30 on the moved
clock, never before 02:00); an end inside the repeated autumn hour is its first occurrence still ahead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclasses.dataclass(frozen=True)
class QuietHours:
    """A resident's quiet window: local ``start`` (inclusive) to ``end`` (exclusive) in ``time_zone``."""

    start: dt.time
    end: dt.time
    time_zone: str

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def is_quiet(quiet_hours: QuietHours | None, at: dt.datetime) -> bool:
    return quiet_window_end(quiet_hours, at) is not None


def quiet_window_end(quiet_hours: QuietHours | None, at: dt.datetime) -> dt.datetime | None:
    """``None`` when ``at`` is outside the window (or there is none); else the UTC moment the window ends."""
    if quiet_hours is None:
        return None
    return quiet_hours_end_after(at, quiet_hours.start, quiet_hours.end, quiet_hours.zone)


def deliver_at(quiet_hours: QuietHours | None, at: dt.datetime, *, urgent: bool) -> dt.datetime:
    """When a push made at ``at`` may go out: at once if urgent or outside the window, else when it ends."""
    end = None if urgent else quiet_window_end(quiet_hours, at)
    return end or at.astimezone(dt.UTC)


def quiet_hours_end_after(at: dt.datetime, start: dt.time, end: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """The same answer as ``quiet_window_end``, for callers that hold the parts rather than a ``QuietHours``."""
    if at.tzinfo is None:
        raise ValueError("quiet hours need a timezone-aware moment")
    if start == end:
        return None
    local = at.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    if start < end:
        inside = start <= wall < end
        end_day = local.date()
    else:  # across midnight: the evening part ends tomorrow, the morning part today
        inside = wall >= start or wall < end
        end_day = local.date() + dt.timedelta(days=1) if wall >= start else local.date()
    if not inside:
        return None
    return _first_instant_after(at, end_day, end, zone)


def _first_instant_after(at: dt.datetime, day: dt.date, wall: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of local ``day`` + ``wall``: the earlier of a repeated hour unless that has passed."""
    for fold in (0, 1):
        candidate = dt.datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).astimezone(dt.UTC)
        if candidate > at:
            return candidate
    return candidate
