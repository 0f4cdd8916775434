"""Typed SQLAlchemy models, one module per domain; importing this package registers them all on Base.metadata."""

from services.db import Base
from services.models.app_clients import AppClient
from services.models.audit import AuditChainHead, AuditEvent
from services.models.benefits import (
    Benefit,
    BenefitAction,
    BenefitSource,
    PlatformEvent,
    PlatformEventInbox,
    ResidentView,
    SyncCheckpoint,
)
from services.models.documents import DocumentBlob, DocumentUpload, InterviewAppointment, MaintenanceWindow
from services.models.idempotency import IdempotencyKey
from services.models.identity import (
    Consent,
    HubSession,
    LinkFailure,
    RefreshToken,
    Resident,
    ResidentLink,
    UsedIdToken,
)
from services.models.notifications import (
    Device,
    NotificationMessage,
    NotificationPreference,
    PushDelivery,
    PushSendClaim,
)
from services.models.nudges import Nudge, NudgeOptOut
from services.models.outbox import OutboxEvent
from services.models.partners import PartnerApp, PartnerCallback, PartnerNotification, PartnerRecipient
from services.models.representation import DesignationAgency, RepresentativeDesignation, RepresentativeInvitation

__all__ = [
    "AppClient",
    "AuditChainHead",
    "AuditEvent",
    "Base",
    "Benefit",
    "BenefitAction",
    "BenefitSource",
    "Consent",
    "DesignationAgency",
    "Device",
    "DocumentBlob",
    "DocumentUpload",
    "HubSession",
    "IdempotencyKey",
    "InterviewAppointment",
    "LinkFailure",
    "MaintenanceWindow",
    "NotificationMessage",
    "NotificationPreference",
    "Nudge",
    "NudgeOptOut",
    "OutboxEvent",
    "PartnerApp",
    "PartnerCallback",
    "PartnerNotification",
    "PartnerRecipient",
    "PlatformEvent",
    "PlatformEventInbox",
    "ResidentView",
    "PushDelivery",
    "PushSendClaim",
    "RefreshToken",
    "RepresentativeDesignation",
    "RepresentativeInvitation",
    "Resident",
    "ResidentLink",
    "SyncCheckpoint",
    "UsedIdToken",
]
