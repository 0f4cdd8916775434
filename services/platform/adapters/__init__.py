"""One pure adapter per agency feed: the request(s) to make, and the payload → normalised ``BenefitRecord`` list.

An adapter never does I/O. Anything it cannot read (bad JSON, a missing field, a status code it has never
seen) raises ``SourceError``; nothing else escapes ``normalise``, so a bad payload can never crash a read or
half-replace a stored snapshot.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import TYPE_CHECKING

from services.platform.adapters.common import Page, Request
from services.platform.records import BenefitRecord, SourceError, SourceErrorKind

if TYPE_CHECKING:
    from services.platform.client import RecordRef

_MODULES = {"DHS": "dhs", "HFS": "hfs", "AGING": "aging", "DCEO": "dceo", "DEC": "dec"}

__all__ = ["Page", "Request", "first_request", "next_request", "normalise", "view_stamp"]


def _adapter(agency: str):
    try:
        return importlib.import_module(f"services.platform.adapters.{_MODULES[agency]}")
    except KeyError:
        raise SourceError(agency, SourceErrorKind.UNKNOWN_AGENCY, "no adapter for this agency") from None


def first_request(ref: RecordRef) -> Request:
    return _adapter(ref.agency).first_request(ref)


def next_request(ref: RecordRef, previous: Request, page: Page) -> Request | None:
    module = _adapter(ref.agency)
    follow = getattr(module, "next_request", None)
    return follow(ref, previous, page) if follow else None


def normalise(agency: str, pages: list[Page]) -> list[BenefitRecord]:
    """The records in ``pages`` (one or more responses of one agency), or ``SourceError``."""
    module = _adapter(agency)
    try:
        records = module.normalise(pages)
    except SourceError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        raise SourceError(agency, SourceErrorKind.MALFORMED, f"{type(error).__name__}: {error}") from None
    keys = [record.key for record in records]
    if len(keys) != len(set(keys)):
        raise SourceError(agency, SourceErrorKind.MALFORMED, "two records with the same program and case number")
    return records


def view_stamp(agency: str, pages: list[Page]) -> dt.date | None:
    """The feed's own as-of for ``pages`` (an aware instant, a date, or None when it gives none or an
    unreadable one). Call it after ``normalise`` accepted the pages; it never raises."""
    read = getattr(_adapter(agency), "view_stamp", None)
    if read is None:
        return None
    try:
        stamp = read(pages)
    except (SourceError, KeyError, TypeError, ValueError, AttributeError, IndexError, SyntaxError):
        return None
    return stamp if isinstance(stamp, dt.date) else None
