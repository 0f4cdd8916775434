"""Whose picture a benefits or actions read answers, of which agencies, and in whose language: the resident's
own (every agency they share, their language), or a representative's of the person they act for (the
designation's agencies only, the representative's language)."""

from __future__ import annotations

import dataclasses

from api.auth.principal import current_principal
from api.resident.benefits import presenters


@dataclasses.dataclass(frozen=True)
class Reading:
    resident_id: str  # whose benefits
    within: frozenset[str] | None = None  # a representative's agencies; None: the resident's own read
    reader_locale: str | None = None  # the representative's language; None: the resident's own

    def locale(self, resident_locale: str | None) -> str:
        """``Accept-Language`` when the hub speaks it, else the reader's own language (``presenters.read_locale``)."""
        return presenters.read_locale(resident_locale if self.reader_locale is None else self.reader_locale)


def own_reading() -> Reading:
    """The calling resident reading their own benefits."""
    return Reading(current_principal().resident_id)
