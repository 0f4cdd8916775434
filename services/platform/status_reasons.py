"""Status reason codes: the agencies' own wording → one reason code, which adapters put on a benefit record.

Agencies write reasons as free text, so an unknown wording is not an error: it becomes ``other`` and the
resident sees the plain-language meaning of the status itself. What each code says to a resident is in the
catalogue (``services/texts/<locale>/status_reasons.json``, read by ``services.texts.words.status_reason``).
"""

from __future__ import annotations

OTHER = "other"
DOCUMENTS_NEEDED = "documents_needed"
RENEWAL_STARTED = "renewal_started"
RENEWAL_OVERDUE = "renewal_overdue"

_FROM_AGENCY_TEXT = {
    "application received": "application_received",
    "referral received": "application_received",
    "eligible": "eligible",
    "certified": "eligible",
    "recertified for 12 months": "renewed",
    "redetermined for 12 months": "renewed",
    "renewed for 12 months": "renewed",
    "redetermination not completed": "renewal_not_returned",
    "renewal not returned": "renewal_not_returned",
    "certification period ended": "certification_ended",
    "verification not returned": "documents_not_returned",
    "documents not received": "documents_not_returned",
    "missed interview": "missed_interview",
    "household income is over the limit": "income_over_limit",
    "not a resident of illinois": "not_a_resident",
    "moved out of state": "not_a_resident",
}
# Every code a record may carry but ``other``: each has a text in every locale of the catalogue (a guard test).
REASON_CODES = frozenset({*_FROM_AGENCY_TEXT.values(), DOCUMENTS_NEEDED, RENEWAL_STARTED, RENEWAL_OVERDUE})


def reason_code(agency_text: str | None) -> str:
    """The reason code for an agency's wording (``other`` when the wording is new to the hub)."""
    return _FROM_AGENCY_TEXT.get((agency_text or "").strip().rstrip(".").lower(), OTHER)
