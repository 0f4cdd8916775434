"""``GET /v1/me/benefits``, ``GET /v1/me/benefits/{id}``, ``GET /v1/me/actions``: the resident's own, only.

Every read answers with a strong ETag over its body and 304 to a matching ``If-None-Match``, and may be kept
by the phone only (``private, no-cache``: it asks again each time); the body depends on the resident's
language, so responses vary on ``Accept-Language`` as well as the token.
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from api.auth.principal import current_principal
from api.current_hub import current_hub
from api.database import db
from api.extension import Blueprint
from api.openapi.headers import ACCEPT_LANGUAGE, REQUEST_START
from api.pages import PageArgs, decode_cursor
from api.request_context import arrived_at
from api.resident.benefits import presenters, stored
from api.resident.benefits.schemas import ActionListSchema, BenefitListArgs, BenefitListSchema, BenefitOneSchema
from api.response_headers import PRIVATE_REVALIDATE, cache_policy
from services.benefits import reads
from services.documents import uploads

blp = Blueprint("benefits", __name__, url_prefix="/v1/me", description="The resident's benefits and next steps")

# One instance each: a schema built per request rebuilds every nested schema, a fifth of a read's time.
LIST_SCHEMA, ONE_SCHEMA, ACTIONS_SCHEMA = BenefitListSchema(), BenefitOneSchema(), ActionListSchema()


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
    view = reads.resident_benefits(
        current_hub(),
        db(),
        current_principal().resident_id,
        refresh=args["refresh"],
        limit=args["limit"],
        after=decode_cursor(args["cursor"]),
        arrived_at=arrived_at(),
    )
    locale = presenters.read_locale(view.resident.locale)
    sent = _sent()
    body = {
        "data": [
            presenters.benefit(b, view.actions.get(b.id, []), view.as_of(b.agency), locale, sent=sent)
            for b in view.benefits
        ],
        "meta": presenters.meta(
            view.sources, locale, verified=view.verified, next_after=view.next_after, maintenance=_maintenance()
        ),
    }
    return _conditional(LIST_SCHEMA.dump(body), locale)


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
            sent=_sent(),
        ),
        "meta": presenters.meta(view.sources, locale, verified=True, maintenance=_maintenance()),
    }
    return _conditional(ONE_SCHEMA.dump(body), locale)


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
    view = reads.resident_open_actions(
        current_hub(), db(), current_principal().resident_id, limit=args["limit"], after=decode_cursor(args["cursor"])
    )
    locale = presenters.read_locale(view.resident.locale)
    sent = _sent()
    body = {
        "data": [presenters.open_action(a, locale, sent) for a in view.actions],
        "meta": presenters.meta(
            view.sources, locale, verified=view.verified, next_after=view.next_after, maintenance=_maintenance()
        ),
    }
    return _conditional(ACTIONS_SCHEMA.dump(body), locale)


def _maintenance() -> dict:
    """Agencies' planned outages now or within 24 hours (``services/platform/maintenance.py``)."""
    return current_hub().maintenance.upcoming()


def _sent() -> dict:
    """What the resident sent for each of their actions (``services/documents/uploads.py``)."""
    return uploads.uploads_by_action(db(), current_principal().resident_id)


def _conditional(body: dict, locale: str) -> Response:
    """The JSON response with a strong ETag, or 304 when the client already holds exactly this body."""
    raw = json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    headers = {
        "ETag": f'"{etag}"',
        "Vary": "Authorization, Accept-Language",
        "Content-Language": locale,
    }
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(raw, status=200, mimetype="application/json", headers=headers)
