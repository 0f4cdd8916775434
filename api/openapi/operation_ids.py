"""``operationId``s that make good method names in generated clients (``hub_client.api.resident_benefits.
list_benefits``, ``getResident`` in TypeScript): a view whose own name says it well keeps it (camelCased by
``api/openapi/operations.py``); the others are named here, by view name, verb first. Unique across the document
(the plugin refuses a duplicate)."""

from __future__ import annotations

OPERATION_IDS = {
    "healthz": "getHealth",
    "readyz": "getReadiness",
    "jwks": "getSigningKeys",
    "token": "requestToken",
    "logout": "signOut",
    "me": "getMe",
    "access_log": "listAccessLog",
    "put_consent": "setConsent",
    "get_preferences": "getNotificationPreferences",
    "put_preferences": "setNotificationPreferences",
    "mark_read": "markNotificationRead",
    "receive_event": "receivePlatformEvent",
    "lookup": "findResidents",
    "resident_detail": "getResident",
    "resident_benefit_list": "listResidentBenefits",
    "resident_notifications": "listResidentNotifications",
    "resync": "resyncResident",
    "revoke_sessions": "signResidentOutEverywhere",
    "resend": "resendNotification",
    "audit_events": "listAuditEvents",
}
