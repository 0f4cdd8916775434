"""Request and response schemas of the resident benefits API (they also write its OpenAPI document)."""

from __future__ import annotations

import marshmallow as ma

from api.pages import PageArgs
from services.benefits.freshness import FRESH, NOT_LINKED, STALE, UNAVAILABLE
from services.platform.records import ACTION_KINDS, ACTION_STATES, BENEFIT_STATUSES
from services.vocabulary import AGENCIES


class BenefitListArgs(PageArgs):
    refresh = ma.fields.Boolean(
        load_default=False, metadata={"description": "Try every linked source now, within the read budget."}
    )


class ProgramSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"description": "In the resident's language"})


class AmountSchema(ma.Schema):
    cents = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    frequency = ma.fields.String(required=True)


class PeriodSchema(ma.Schema):
    start_on = ma.fields.Date(allow_none=True)
    end_on = ma.fields.Date(allow_none=True)


class ActionSchema(ma.Schema):
    id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTION_KINDS))
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTION_STATES))
    due_on = ma.fields.Date(allow_none=True)
    scheduled_at = ma.fields.AwareDateTime(allow_none=True)


class NoticeSchema(ma.Schema):
    id = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    posted_on = ma.fields.Date(required=True)


class PaymentSchema(ma.Schema):
    id = ma.fields.String(required=True)
    cents = ma.fields.Integer(required=True)
    currency = ma.fields.String(required=True)
    paid_on = ma.fields.Date(required=True)


class HistorySchema(ma.Schema):
    status = ma.fields.String(required=True)
    on = ma.fields.Date(required=True)
    reason = ma.fields.String(allow_none=True)


class BenefitSchema(ma.Schema):
    id = ma.fields.String(required=True)
    agency = ma.fields.String(required=True, validate=ma.validate.OneOf(AGENCIES))
    program = ma.fields.Nested(ProgramSchema, required=True)
    case_number = ma.fields.String(required=True, metadata={"description": "Masked: only the last four digits"})
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(BENEFIT_STATUSES))
    status_label = ma.fields.String(required=True)
    status_reason = ma.fields.String(
        required=True, metadata={"description": "Plain language, in the resident's language"}
    )
    status_since = ma.fields.Date(allow_none=True)
    amount = ma.fields.Nested(AmountSchema, allow_none=True)
    next_payment_on = ma.fields.Date(allow_none=True)
    certification_period = ma.fields.Nested(PeriodSchema, allow_none=True)
    renewal_due_on = ma.fields.Date(allow_none=True)
    plan = ma.fields.String(allow_none=True)
    actions = ma.fields.List(ma.fields.Nested(ActionSchema), required=True)
    as_of = ma.fields.AwareDateTime(allow_none=True, metadata={"description": "When the hub last got this source"})


class BenefitDetailSchema(BenefitSchema):
    notices = ma.fields.List(ma.fields.Nested(NoticeSchema), required=True)
    payments = ma.fields.List(ma.fields.Nested(PaymentSchema), required=True)
    history = ma.fields.List(ma.fields.Nested(HistorySchema), required=True)


class SourceSchema(ma.Schema):
    agency = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf((FRESH, STALE, UNAVAILABLE, NOT_LINKED)))
    as_of = ma.fields.AwareDateTime(allow_none=True)


class ReadMetaSchema(ma.Schema):
    sources = ma.fields.List(ma.fields.Nested(SourceSchema), required=True)
    next_cursor = ma.fields.String(allow_none=True)
    locale = ma.fields.String(required=True)
    identity_verification_required = ma.fields.Boolean(required=True)
    message = ma.fields.String(allow_none=True)


class BenefitListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(BenefitSchema), required=True)
    meta = ma.fields.Nested(ReadMetaSchema, required=True)


class BenefitOneSchema(ma.Schema):
    data = ma.fields.Nested(BenefitDetailSchema, required=True)
    meta = ma.fields.Nested(ReadMetaSchema, required=True)


class OpenActionSchema(ActionSchema):
    benefit_id = ma.fields.String(required=True)
    agency = ma.fields.String(required=True)
    program = ma.fields.Nested(ProgramSchema, required=True)


class ActionListSchema(ma.Schema):
    data = ma.fields.List(ma.fields.Nested(OpenActionSchema), required=True)
    meta = ma.fields.Nested(ReadMetaSchema, required=True)
