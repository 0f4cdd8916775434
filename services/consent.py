"""Consent checks for every reader of residents' data (benefits, notifications, support views).

Re-exported from ``services.identity.consent``, where the rules and the "no row = granted" decision live.
"""

from services.identity.consent import (
    agency_consents,
    consent_granted,
    granted_agencies,
    set_consent,
    shared_agencies,
    withheld_agencies_by_resident,
)

__all__ = [
    "agency_consents",
    "consent_granted",
    "granted_agencies",
    "set_consent",
    "shared_agencies",
    "withheld_agencies_by_resident",
]
