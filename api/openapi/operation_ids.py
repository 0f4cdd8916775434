"""``operationId``s that make good method names in generated clients (``hub_client.api.resident_benefits.
list_benefits``, ``getResident`` in TypeScript): a view whose own name says it well keeps it (camelCased by
``api/openapi/operations.py``); the others are named here, by endpoint (``blueprint.view``) or view name, verb first. Unique across the document
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
    "receive_event_batch": "receivePlatformEventBatch",
    "lookup": "findResidents",
    "resident_detail": "getResident",
    "resident_benefit_list": "listResidentBenefits",
    "resident_notifications": "listResidentNotifications",
    "resync": "resyncResident",
    "revoke_sessions": "signResidentOutEverywhere",
    "resend": "resendNotification",
    "audit_events": "listAuditEvents",
    # by endpoint where a view name is used by more than one blueprint
    "partner.send_notification": "sendPartnerNotification",
    "partner.notificationnotification_statuses": "getPartnerNotification",
    "partner.list_notifications": "listPartnerNotifications",
    "partner.post_event": "postPartnerEvent",
    "admin-partner-apps.list_partner_apps": "listPartnerApps",
    "admin-partner-apps.suspend": "suspendPartnerApp",
    "admin-partner-apps.unsuspend": "unsuspendPartnerApp",
    "admin-partner-apps.rekey": "rekeyPartnerApp",
    "admin-partner-apps.partner_app_notifications": "listPartnerAppNotifications",
}
