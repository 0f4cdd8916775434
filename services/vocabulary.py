"""Words and values the whole hub shares: the agencies it knows and the state's time zone.

Agencies are named by these codes everywhere (links, snapshots, consents, guards, the API), in this order
wherever a list of them is shown. The state's time zone is where agencies write their local dates and times,
where the reminder scan counts days, and every resident's zone until they choose one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

AGENCIES = ("DHS", "HFS", "AGING", "DCEO", "DEC")

STATE_TIME_ZONE = "America/Chicago"
STATE_ZONE = ZoneInfo(STATE_TIME_ZONE)


def zone_or_state(time_zone: str | None) -> ZoneInfo:
    """A resident's IANA zone, or the state's when it is missing or unknown."""
    try:
        return ZoneInfo(time_zone or STATE_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return STATE_ZONE
