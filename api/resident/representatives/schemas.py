"""Bodies of ``/v1/me/representatives`` and ``/v1/me/represented``; support shows designations with them too."""

from __future__ import annotations

import marshmallow as ma

from api.fields import Text
from services.representation import codes, invitations
from services.vocabulary import AGENCIES


class InvitationRequestSchema(ma.Schema):
    agencies = ma.fields.List(
        Text(validate=ma.validate.OneOf(AGENCIES)),
        required=True,
        validate=ma.validate.Length(min=1, max=len(AGENCIES), error="Name from 1 to 5 agencies."),
        metadata={"description": "the agencies the representative may act at; you must have records at each"},
    )
    expires_in_days = ma.fields.Integer(
        load_default=invitations.DEFAULT_DAYS,
        strict=True,
        validate=ma.validate.Range(min=invitations.MIN_DAYS, max=invitations.MAX_DAYS),
        metadata={"description": "1 to 30; 7 when left out"},
    )


class InvitationSchema(ma.Schema):
    id = ma.fields.String(required=True)
    code = ma.fields.String(
        required=True, metadata={"description": "shown only now: give it to the person who will act for you"}
    )
    agencies = ma.fields.List(ma.fields.String(), required=True)
    expires_at = ma.fields.DateTime(required=True)
    created_at = ma.fields.DateTime(required=True)


class AcceptSchema(ma.Schema):
    code = Text(
        required=True,
        validate=ma.validate.Regexp(codes.TYPED, error="Codes are 16 letters, like HKPD-WRTC-MNZA-FQEX."),
        metadata={"description": "the invitation's code (case, spaces and hyphens do not matter)"},
    )


class DesignationAgencySchema(ma.Schema):
    agency = ma.fields.String(required=True)
    status = ma.fields.String(
        required=True,
        metadata={
            "description": "pending (not yet recorded with the agency) | recorded | ended (by anyone: see ended_by)"
        },
    )
    recorded_at = ma.fields.DateTime(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)
    ended_by = ma.fields.String(
        allow_none=True, metadata={"description": "resident | representative | agency | support"}
    )


class PersonNameSchema(ma.Schema):
    first_name = ma.fields.String(allow_none=True)


class DesignationSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "the designation's id, the same on both sides"})
    origin = ma.fields.String(
        required=True, metadata={"description": "invitation (accepted in the hub) | agency (recorded by the agency)"}
    )
    active = ma.fields.Boolean(required=True, metadata={"description": "false once ended, or ended at every agency"})
    agencies = ma.fields.List(ma.fields.Nested(DesignationAgencySchema), required=True)
    created_at = ma.fields.DateTime(required=True)
    ended_at = ma.fields.DateTime(allow_none=True)
    ended_by = ma.fields.String(
        allow_none=True, metadata={"description": "resident | representative | agency | support"}
    )


class RepresentativeSchema(DesignationSchema):
    """The person's view: who acts for them."""

    representative = ma.fields.Nested(PersonNameSchema, required=True)


class RepresentedSchema(DesignationSchema):
    """The representative's view: whom they act for."""

    person = ma.fields.Nested(PersonNameSchema, required=True)
