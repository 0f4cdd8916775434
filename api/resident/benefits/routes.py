"""``GET /v1/me/benefits``, ``GET /v1/me/benefits/{id}``, ``GET /v1/me/actions``: the resident's own, only.

Every read answers with a strong ETag over its body and 304 to a matching ``If-None-Match``, and may be kept
by the phone only (``private, no-cache``: it asks again each time); the body depends on the resident's
language, so responses vary on ``Accept-Language`` as well as the token.
"""

from __future__ import annotations

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.openapi.headers import ACCEPT_LANGUAGE, REQUEST_START
from api.pages import PageArgs
from api.resident.benefits import answers, presenters, stored
from api.resident.benefits.reading import own_reading
from api.resident.benefits.schemas import ActionListSchema, BenefitListArgs, BenefitListSchema, BenefitOneSchema
from api.response_headers import PRIVATE_REVALIDATE, cache_policy
from services.benefits import reads

blp = Blueprint("benefits", __name__, url_prefix="/v1/me", description="The resident's benefits and next steps")

ONE_SCHEMA = BenefitOneSchema()  # one instance: a schema built per request rebuilds every nested schema


@blp.route("/benefits")
@cache_policy(PRIVATE_REVALIDATE)
@blp.resident()
@blp.reads_headers(ACCEPT_LANGUAGE, REQUEST_START)
@stored.served_from_document("benefits")
@blp.arguments(BenefitListArgs, location="query")
@blp.response(200, BenefitListSchema)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def list_benefits(args):
    """Every benefit across the agencies the resident shares, with the freshness of each source."""
    return answers.benefits(own_reading(), args)


@blp.route("/benefits/<benefit_id>")
@cache_policy(PRIVATE_REVALIDATE)
@blp.resident()
@blp.reads_headers(ACCEPT_LANGUAGE)
@blp.response(200, BenefitOneSchema)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
@blp.alt_response(404, description="No benefit with this id for this resident")
def get_benefit(benefit_id: str):
    """One benefit with its actions, notices, payments and status history."""
    view = reads.resident_benefit(current_hub(), db(), current_principal().resident_id, benefit_id)
    locale = presenters.read_locale(view.resident.locale)
    benefit = view.benefits[0]
    body = {
        "data": presenters.benefit(
            benefit,
            view.actions.get(benefit.id, []),
            view.as_of(benefit.agency),
            locale,
            detail=True,
            sent=answers.sent_for(view.resident.id),
        ),
        "meta": presenters.meta(view.sources, locale, verified=True, maintenance=answers.maintenance()),
    }
    return answers.conditional(ONE_SCHEMA.dump(body), locale)


@blp.route("/actions")
@cache_policy(PRIVATE_REVALIDATE)
@blp.resident()
@blp.reads_headers(ACCEPT_LANGUAGE)
@stored.served_from_document("actions")
@blp.arguments(PageArgs, location="query")
@blp.response(200, ActionListSchema)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def list_actions(args):
    """Open actions (documents, interviews, renewals, changes to report) across all programs, soonest due first."""
    return answers.actions(own_reading(), args)
