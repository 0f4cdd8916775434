"""Pure: whether a view of a resident's records at one agency is older than the one the hub already stores.

The hub keeps, per source, the platform time its stored picture shows (``view_at``, exact or estimated) and
when it last got a good answer (``as_of``, hub clock). A view is older when the platform time it shows is
before ``view_at``. One exception settles what coarse stamps cannot: a pull the hub sent after the stored
picture had arrived shows at least that picture (the platform answers from the state it has already announced),
unless both pictures carry the platform's own exact instants, which then decide alone.
Whatever the path (push, pull on read, background refresh, reconciliation), an older view never replaces a
newer one.
"""

from __future__ import annotations

import datetime as dt

from services.platform.views import SourceView


def is_older(view: SourceView, view_at: dt.datetime | None, view_exact: bool, as_of: dt.datetime | None) -> bool:
    if view_at is None:
        return False
    if not view.pushed and not (view.exact and view_exact) and as_of is not None and view.taken_at >= as_of:
        return False
    return view.shown_at < view_at


def newest(view: SourceView, view_at: dt.datetime | None, view_exact: bool) -> tuple[dt.datetime, bool]:
    """The stored picture's (``view_at``, ``view_exact``) once ``view`` is applied; never moves back in time."""
    if view_at is None or view.shown_at >= view_at:
        return view.shown_at, view.exact
    return view_at, False  # newer by the hub's clock, shown earlier by a coarse stamp: keep the later estimate
