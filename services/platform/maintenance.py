"""Agencies' planned outages, announced through the platform: which source is (or soon will be) down for
maintenance, so reads say so in plain words and the hub does not call a source during its window.

- ``platform.refresh_maintenance`` (every 5 minutes, the first time as the workers start) asks the
  platform's ``GET /maintenance`` and replaces the ``maintenance_windows`` table with its answer (ended windows
  are dropped), so every web and worker process sees the same calendar.
- ``MaintenanceCalendar`` (``Hub.maintenance``) reads the table at most every ``CACHE_SECONDS`` per process (a
  benefits read costs no statement for it most of the time) and answers ``current(agency)`` (the window now, for
  the platform client's guard: a fetch during it is a ``SourceError`` of kind ``maintenance`` and is not sent)
  and ``upcoming()`` (per agency, the window now or starting within 24 hours, for ``meta.sources[].maintenance``).
- A platform that cannot be asked leaves the last known calendar in place: an outage of the announcement feed
  must not make a planned outage disappear.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from services import clock
from services.background import job
from services.models.documents import MaintenanceWindow
from services.vocabulary import AGENCIES

if TYPE_CHECKING:
    from services.hub import Hub

CACHE_SECONDS = 30.0
AHEAD = dt.timedelta(hours=24)
REFRESH_SECONDS = 300


@dataclasses.dataclass(frozen=True)
class Window:
    agency: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    message: str

    def covers(self, moment: dt.datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


class MaintenanceCalendar:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self._lock = threading.Lock()
        self._loaded: tuple[float, list[Window]] | None = None

    def windows(self) -> list[Window]:
        with self._lock:
            if self._loaded is None or time.monotonic() - self._loaded[0] > CACHE_SECONDS:
                with self.sessions() as session:
                    rows = session.scalars(select(MaintenanceWindow).order_by(MaintenanceWindow.starts_at))
                    found = [Window(r.agency, r.starts_at, r.ends_at, r.message) for r in rows]
                self._loaded = (time.monotonic(), found)
            return self._loaded[1]

    def forget(self) -> None:
        """Read the table again at the next question (after a refresh in this process)."""
        with self._lock:
            self._loaded = None

    def current(self, agency: str, now: dt.datetime | None = None) -> Window | None:
        moment = now or clock.now()
        return next((w for w in self.windows() if w.agency == agency and w.covers(moment)), None)

    def upcoming(self, now: dt.datetime | None = None) -> dict[str, Window]:
        """Per agency, its window now or the next one starting within 24 hours."""
        moment = now or clock.now()
        found: dict[str, Window] = {}
        for window in self.windows():
            if window.ends_at > moment and window.starts_at <= moment + AHEAD:
                found.setdefault(window.agency, window)
        return found


def parse_windows(body: object, now: dt.datetime) -> list[MaintenanceWindow] | None:
    """The platform's answer as rows (ended and malformed windows left out), or None when it is not a list."""
    items = body.get("windows") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return None
    rows = []
    for item in items:
        try:
            agency = str(item["agency"]).upper()
            starts_at = dt.datetime.fromisoformat(str(item["starts_at"]).replace("Z", "+00:00"))
            ends_at = dt.datetime.fromisoformat(str(item["ends_at"]).replace("Z", "+00:00"))
            key = str(item.get("id") or f"{agency}:{starts_at.isoformat()}")[:96]
        except (KeyError, TypeError, ValueError):
            continue
        if agency not in AGENCIES or starts_at.tzinfo is None or ends_at <= starts_at or ends_at <= now:
            continue
        message = str(item.get("message") or "")[:300]
        rows.append(MaintenanceWindow(id=key, agency=agency, starts_at=starts_at, ends_at=ends_at, message=message))
    return rows


def refresh_maintenance(hub: Hub) -> int | None:
    """Replace the stored calendar with the platform's; how many windows it holds, None when it was not had."""
    body = hub.platform.maintenance_calendar()
    now = clock.now()
    rows = parse_windows(body, now) if body is not None else None
    if rows is None:
        return None
    with hub.session() as session:
        session.execute(delete(MaintenanceWindow))
        session.add_all(rows)
        session.commit()
    hub.maintenance.forget()
    return len(rows)


@job("platform.refresh_maintenance", every_seconds=REFRESH_SECONDS)
def refresh_maintenance_job(hub: Hub) -> int | None:
    """Fetch the agencies' announced maintenance windows from the platform."""
    return refresh_maintenance(hub)
