"""Quiet hours, pure: when a resident's quiet window that a moment falls in ends (``None``: it does not).

The window is wall-clock time in the resident's IANA zone (``22:00``–``07:00`` means every night, across
midnight); ``start == end`` means no quiet hours. Daylight saving is zoneinfo's job: the window is compared
in local time, and its end is converted back to UTC for the local date it falls on. An end inside the
spring-forward gap is read with the offset before the jump (02:30 that night ends at 03:30 on the moved
clock, never before 02:00); an end inside the repeated autumn hour is its first occurrence still ahead.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def quiet_hours_end_after(at: dt.datetime, start: dt.time, end: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """``None`` when ``at`` is outside the window from ``start`` to ``end`` in ``zone`` (or there is none), else
    the UTC moment the window ends. ``Preferences.push_not_before`` asks it for every push."""
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
