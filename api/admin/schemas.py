"""Request and response bodies of the admin API (support staff)."""

from __future__ import annotations

import marshmallow as ma

from api.fields import Text
from api.pages import PageArgs, PageMeta
from api.resident.benefits.schemas import BenefitListArgs, BenefitSchema, ReadMetaSchema, SourceSchema
from api.resident.consents.schemas import ConsentSchema
from api.resident.devices.schemas import DeviceSchema
from api.resident.links.schemas import LinkSchema
from api.resident.notifications.schemas import NotificationSchema
from services.identity.field_crypto import normalise_email, normalise_phone
from services.models.audit import ACTOR_KINDS, OUTCOMES

LOOKUP_FIELDS = ("email", "phone", "case_number")


class ResidentLookupArgs(ma.Schema):
    """Exactly one identifier, matched exactly: there is no listing or partial search of residents."""

    email = Text(validate=[ma.validate.Length(min=3, max=320), lambda value: _email(value)])
    phone = Text(
        validate=[ma.validate.Length(min=7, max=32), lambda value: _phone_digits(normalise_phone(value))],
        metadata={"description": "any punctuation; 7 to 15 digits once it is taken away"},
    )
    case_number = Text(
        validate=[ma.validate.Length(min=4, max=32), lambda value: _identifies("case_number", value.strip())]
    )

    @ma.validates_schema
    def one_identifier(self, data, **_kwargs):
        given = [name for name in LOOKUP_FIELDS if name in data]
        if len(given) != 1:
            message = "Give exactly one of email, phone or case_number (exact match)."
            raise ma.ValidationError({name: [message] for name in LOOKUP_FIELDS})


def _identifies(field: str, normalised: str) -> bool:
    """An identifier that normalises to nothing matches no one; refused rather than looked up."""
    if not normalised:
        raise ma.ValidationError(f"This {field.replace('_', ' ')} has nothing in it to look up.")
    return True


def _email(value: str) -> bool:
    _identifies("email", normalise_email(value))
    if "@" not in value:
        raise ma.ValidationError("Not an email address.")
    return True


def _phone_digits(digits: str) -> bool:
    if not 7 <= len(digits) <= 15:
        raise ma.ValidationError("A phone number has 7 to 15 digits.")
    return True


class ResidentSummarySchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    identity_verified = ma.fields.Boolean()
    matched_by = ma.fields.String()


class StaffSessionSchema(ma.Schema):
    id = ma.fields.String()
    client_id = ma.fields.String()
    device_label = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    last_seen_at = ma.fields.AwareDateTime()
    revoked_at = ma.fields.AwareDateTime(allow_none=True)
    revoked_reason = ma.fields.String(allow_none=True)


class StaffDeviceSchema(DeviceSchema):
    deactivated_reason = ma.fields.String(allow_none=True)


class SyncStateSchema(SourceSchema):
    shared = ma.fields.Boolean(metadata={"description": "False: the resident stopped sharing this agency"})
    attempted_at = ma.fields.AwareDateTime(allow_none=True)
    error_kind = ma.fields.String(allow_none=True)
    error_at = ma.fields.AwareDateTime(allow_none=True)


class ResidentDetailSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    locale = ma.fields.String()
    identity_verified = ma.fields.Boolean()
    created_at = ma.fields.AwareDateTime()
    links = ma.fields.List(ma.fields.Nested(LinkSchema))
    consents = ma.fields.List(ma.fields.Nested(ConsentSchema))
    devices = ma.fields.List(ma.fields.Nested(StaffDeviceSchema))
    sessions = ma.fields.List(ma.fields.Nested(StaffSessionSchema), metadata={"description": "The 20 most recent"})
    sync = ma.fields.List(ma.fields.Nested(SyncStateSchema))


class BreakGlassSchema(ma.Schema):
    agencies = ma.fields.List(ma.fields.String())
    data = ma.fields.List(ma.fields.Nested(BenefitSchema))
    sources = ma.fields.List(ma.fields.Nested(SyncStateSchema))


class StaffReadMetaSchema(ReadMetaSchema):
    withheld_agencies = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "Agencies the resident stopped sharing; a supervisor may break glass to see them"},
    )


class StaffBenefitListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(BenefitSchema), required=True)
    meta = ma.fields.Nested(StaffReadMetaSchema, required=True)
    break_glass = ma.fields.Nested(
        BreakGlassSchema,
        allow_none=True,
        metadata={"description": "With X-Break-Glass: true (supervisors), on the first page: withheld agencies"},
    )


StaffBenefitArgs = BenefitListArgs


class DeliverySchema(ma.Schema):
    id = ma.fields.String()
    device_id = ma.fields.String()
    send_round = ma.fields.Integer()
    kind = ma.fields.String()
    requested_by = ma.fields.String(allow_none=True)
    state = ma.fields.String()
    attempts = ma.fields.Integer()
    not_before = ma.fields.AwareDateTime(allow_none=True)
    next_attempt_at = ma.fields.AwareDateTime()
    provider_message_id = ma.fields.String(allow_none=True)
    error_code = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "Why it failed or was not sent: FCM's error code, or, decided when it was due to be sent, "
            "consent_withdrawn, category_disabled, device_moved, device_inactive, representation_ended (a "
            "representative's copy whose designation ended); claim_expired when it was "
            "taken back from a sender that stopped"
        },
    )
    error_detail = ma.fields.String(allow_none=True)
    created_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime(allow_none=True)


class SenderSchema(ma.Schema):
    """The partner app that sent a message (null for the hub's own messages)."""

    client_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    agency = ma.fields.String(required=True)
    notification_id = ma.fields.String(required=True, metadata={"description": "The partner's notification id"})
    reference = ma.fields.String(allow_none=True)


class StaffNotificationSchema(NotificationSchema):
    deliveries = ma.fields.List(ma.fields.Nested(DeliverySchema))
    sent_by = ma.fields.Nested(SenderSchema, allow_none=True)


class StaffNotificationsMeta(PageMeta):
    withheld = ma.fields.Integer(metadata={"description": "Messages on this page from agencies no longer shared"})


class ResyncSchema(ma.Schema):
    outcomes = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={
            "description": "Per shared agency: applied, unchanged, stale (the hub's copy is newer), pending (still "
            "fetching), not_queued (still out and its background retry could not be queued: resync later) or an "
            "error kind"
        },
    )


class RevokeSchema(ma.Schema):
    revoked = ma.fields.Integer(metadata={"description": "How many live sessions were ended"})


class ResendSchema(ma.Schema):
    notification_id = ma.fields.String()
    send_round = ma.fields.Integer(allow_none=True)
    deliveries = ma.fields.List(ma.fields.Nested(DeliverySchema))


class AuditEventArgs(PageArgs):
    actor_id = Text()
    resident_id = Text()
    action = Text()
    outcome = Text(validate=ma.validate.OneOf(OUTCOMES))
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()
    flagged_for_review = ma.fields.Boolean()


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.AwareDateTime()
    actor_kind = ma.fields.String(validate=ma.validate.OneOf(ACTOR_KINDS))
    actor_id = ma.fields.String()
    actor_name = ma.fields.String(allow_none=True)
    actor_role = ma.fields.String(allow_none=True)
    resident_id = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    route = ma.fields.String(allow_none=True)
    field_groups = ma.fields.List(ma.fields.String(), attribute="fields", data_key="fields")
    reason = ma.fields.String(allow_none=True)
    request_id = ma.fields.String(allow_none=True)
    outcome = ma.fields.String()
    break_glass = ma.fields.Boolean()
    flagged_for_review = ma.fields.Boolean()
    prev_hash = ma.fields.String()
    hash = ma.fields.String()


class StaffDocumentSchema(ma.Schema):
    """An upload as support sees it: metadata, receipts and forwarding, never the file."""

    id = ma.fields.String(required=True)
    action_id = ma.fields.String(required=True)
    action_title = ma.fields.String(required=True)
    benefit_id = ma.fields.String(required=True)
    agency = ma.fields.String(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True, metadata={"description": "Of the file as stored"})
    status = ma.fields.String(required=True)
    status_reason = ma.fields.String(allow_none=True, metadata={"description": "The agency's reason code"})
    receipt_number = ma.fields.String(required=True)
    tracking_number = ma.fields.String(allow_none=True)
    submitted_at = ma.fields.AwareDateTime(required=True)
    received_at = ma.fields.AwareDateTime(allow_none=True)
    decided_at = ma.fields.AwareDateTime(allow_none=True)
    forwarded_at = ma.fields.AwareDateTime(allow_none=True)
    forward_attempts = ma.fields.Integer(required=True)
    forward_error = ma.fields.String(allow_none=True)
