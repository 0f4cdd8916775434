"""What one look at an agency showed and when: the records, plus the moment of the platform's state they show.

The hub orders the views it gets of a record by that moment, never by when they were stored
(``services/benefits/view_order.py``), so a slow pull or a late event never puts an older picture over a newer
one. A pushed event shows the state at its ``occurred_at``. A pull shows the state when the hub asked: the
feed's own instant where it gives one (HFS ``Bundle.timestamp``); where it gives only a date (DHS
``asOfDate``, AGING ``as_of``, DEC ``asOf``), the hub's clock when it asked, kept within that agency-local
day; where it gives nothing (DCEO), the hub's clock when it asked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from services.platform.records import BenefitRecord
from services.vocabulary import STATE_ZONE


@dataclasses.dataclass(frozen=True)
class SourceView:
    records: list[BenefitRecord]
    taken_at: dt.datetime  # hub clock: when the hub asked the feed, or received the pushed event
    shown_at: dt.datetime  # platform time of the state the records show (an estimate unless ``exact``)
    exact: bool  # ``shown_at`` is the platform's own instant
    pushed: bool = False


def pulled(records: list[BenefitRecord], taken_at: dt.datetime, stamp: dt.date | None) -> SourceView:
    """A view the hub asked for at ``taken_at``; ``stamp`` is the feed's own as-of (instant, date or None)."""
    if isinstance(stamp, dt.datetime):
        return SourceView(records, taken_at, stamp, exact=True)
    if isinstance(stamp, dt.date):
        start = dt.datetime.combine(stamp, dt.time(), STATE_ZONE).astimezone(dt.UTC)
        following = dt.datetime.combine(stamp + dt.timedelta(days=1), dt.time(), STATE_ZONE).astimezone(dt.UTC)
        shown = min(max(taken_at, start), following - dt.timedelta(microseconds=1))
        return SourceView(records, taken_at, shown, exact=False)
    return SourceView(records, taken_at, taken_at, exact=False)


def pushed(records: list[BenefitRecord], occurred_at: dt.datetime, received_at: dt.datetime) -> SourceView:
    return SourceView(records, received_at, occurred_at, exact=True, pushed=True)


def combined(views: Sequence[SourceView]) -> SourceView:
    """Several records at one agency (one fetch each) as one view: as old as its oldest part."""
    if len(views) == 1:
        return views[0]
    return SourceView(
        [record for view in views for record in view.records],
        min(view.taken_at for view in views),
        min(view.shown_at for view in views),
        exact=all(view.exact for view in views),
        pushed=any(view.pushed for view in views),
    )
