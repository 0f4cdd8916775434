"""Notification preferences: which categories push, quiet hours (in the resident's own IANA time zone), and
whether the lock screen may show details.

Decisions, written down:
- A disabled category means *no push*; the message still lands in the inbox, so nothing about a case is
  ever lost by switching pushes off. This holds for urgent messages too: the resident's choice wins.
- Quiet hours hold back non-urgent pushes until the window ends (the inbox gets the message at once);
  urgent ones (the rules decide, e.g. a missed interview) are pushed straight away.
- Consent is not a preference: an agency the resident stopped sharing produces no message at all (see
  ``notifications.dispatch``).
- Every choice here is read again when each push is sent, not only when its message is written
  (``notifications.send_time``): a push waiting for quiet hours or a retry follows what the resident chose since.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy.orm import Session

from notifications.rules import CATEGORIES
from services.db import commits
from services.errors import InvalidInput
from services.models.notifications import NotificationPreference
from services.vocabulary import zone_or_state

_UNSET = object()


@dataclasses.dataclass(frozen=True)
class Preferences:
    disabled_categories: frozenset[str] = frozenset()
    quiet_hours_start: dt.time | None = None
    quiet_hours_end: dt.time | None = None
    detailed_previews: bool = False

    @classmethod
    def from_row(cls, row: NotificationPreference | None) -> Preferences:
        if row is None:
            return cls()
        return cls(
            disabled_categories=frozenset(row.disabled_categories or ()),
            quiet_hours_start=row.quiet_hours_start,
            quiet_hours_end=row.quiet_hours_end,
            detailed_previews=row.detailed_previews,
        )

    def pushes(self, category: str) -> bool:
        return category not in self.disabled_categories

    @property
    def quiet_hours(self) -> tuple[dt.time, dt.time] | None:
        if self.quiet_hours_start is None or self.quiet_hours_end is None:
            return None
        return self.quiet_hours_start, self.quiet_hours_end

    def push_not_before(self, now: dt.datetime, time_zone: str | None, *, urgent: bool) -> dt.datetime | None:
        """When a push may go out: ``None`` for now, else the end of the quiet window (UTC)."""
        if urgent or self.quiet_hours is None:
            return None
        from notifications.quiet_hours import quiet_hours_end_after

        return quiet_hours_end_after(now, *self.quiet_hours, zone_or_state(time_zone))


def preferences_for(session: Session, resident_id: str) -> Preferences:
    return Preferences.from_row(session.get(NotificationPreference, resident_id))


@commits
def update_preferences(
    session: Session,
    resident_id: str,
    *,
    categories: dict[str, bool] | None = None,
    quiet_hours: object = _UNSET,
    detailed_previews: bool | None = None,
) -> Preferences:
    """Apply what the resident sent (fields left out keep their value). Commits, so that pushes decided from now
    on, in other sessions, follow it at once.

    ``categories`` maps category → enabled; ``quiet_hours`` is ``(start, end)`` or ``None`` to switch them
    off. An unknown category is a 422 naming it; nothing is changed then.
    """
    unknown = sorted(set(categories or ()) - set(CATEGORIES))
    if unknown:
        raise InvalidInput(
            "Some categories are not ones the hub sends.",
            errors={f"categories.{name}": ["Unknown category."] for name in unknown},
        )
    if quiet_hours is not _UNSET and quiet_hours is not None and quiet_hours[0] == quiet_hours[1]:
        raise InvalidInput(
            "Quiet hours must start and end at different times.",
            errors={"quiet_hours.end": ["Must differ from start."]},
        )
    row = session.get(NotificationPreference, resident_id)
    if row is None:
        row = NotificationPreference(resident_id=resident_id, disabled_categories=[], detailed_previews=False)
        session.add(row)
    if categories is not None:
        disabled = set(row.disabled_categories or ())
        for name, enabled in categories.items():
            (disabled.discard if enabled else disabled.add)(name)
        row.disabled_categories = sorted(disabled)
    if quiet_hours is not _UNSET:
        row.quiet_hours_start, row.quiet_hours_end = quiet_hours if quiet_hours is not None else (None, None)
    if detailed_previews is not None:
        row.detailed_previews = detailed_previews
    session.commit()
    return Preferences.from_row(row)
