"""Planned outages the agencies announce through the platform. The sandbox announces one for DEC on every start
(and reset): from two hours after the next full hour, for four hours, so it always shows as coming within 24 h;
`POST /platform/sim/maintenance` announces others (e.g. one that is on now)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

DEC_MESSAGE = "Child care case system upgrade. Case information is not available during the upgrade."


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class MaintenanceBoard:
    def __init__(self, wall) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        now = datetime.fromtimestamp(self._wall(), UTC)
        start = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
        with self._lock:
            self._windows = [
                {
                    "id": "mw-dec-1",
                    "agency": "DEC",
                    "starts_at": _iso(start),
                    "ends_at": _iso(start + timedelta(hours=4)),
                    "message": DEC_MESSAGE,
                }
            ]

    def announce(self, agency: str, starts_at: datetime, ends_at: datetime, message: str) -> dict:
        with self._lock:
            window = {
                "id": f"mw-{agency.lower()}-{len(self._windows) + 1}",
                "agency": agency,
                "starts_at": _iso(starts_at),
                "ends_at": _iso(ends_at),
                "message": message,
            }
            self._windows.append(window)
            return window

    def clear(self) -> None:
        with self._lock:
            self._windows = []

    def current(self) -> list[dict]:
        now = _iso(datetime.fromtimestamp(self._wall(), UTC))
        with self._lock:
            return [dict(w) for w in self._windows if w["ends_at"] > now]
