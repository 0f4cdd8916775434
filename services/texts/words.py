"""The words for the hub's codes, in the reader's language: program names, statuses and status reasons.

Shared by the benefits read and the notification templates, so a program is called the same in both.
"""

from __future__ import annotations

from services.texts.catalogue import texts
from services.texts.formats import format_moment


def program_name(code: str, locale: str | None) -> str:
    """The program's display name (``programs.json``); an unknown code is shown as the code."""
    found = texts().lookup(locale, "programs", code.upper())
    return found.value if found else code


def status_label(status: str, locale: str | None) -> str:
    """The status in a word or two (``statuses.json``), e.g. "Action needed"."""
    found = texts().lookup(locale, "statuses", status, "label")
    return found.value if found else status


def status_explanation(status: str, locale: str | None) -> str:
    """What the status means for the resident, in plain language (empty for a status the files do not know)."""
    found = texts().lookup(locale, "statuses", status, "reason")
    return found.value if found else ""


def status_reason(code: str | None, locale: str | None) -> str | None:
    """Why a benefit has its status, for a reason code of ``services.platform.status_reasons``
    (``status_reasons.json``); None for ``other`` or a code the files do not know, so the caller says what the
    status itself means instead."""
    found = texts().lookup(locale, "status_reasons", code) if code else None
    return found.value if found else None


def document_reason(code: str | None, locale: str | None) -> str:
    """Why the agency could not use an uploaded document (``document_reasons.json``; ``other`` for a code the
    files do not know)."""
    found = texts().lookup(locale, "document_reasons", code or "other") or texts().lookup(
        locale, "document_reasons", "other"
    )
    return found.value


def maintenance_message(agency: str, starts_at, ends_at, now, locale: str | None, zone) -> str:
    """When an agency's data will be back, in plain words and on the state's clock (``maintenance.json``)."""
    key = "now" if starts_at <= now else "soon"
    template = texts().text(locale, "maintenance", key)
    return template.format(
        agency=agency, starts_at=format_moment(starts_at, locale, zone), ends_at=format_moment(ends_at, locale, zone)
    )
