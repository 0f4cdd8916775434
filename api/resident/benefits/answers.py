"""The full benefits and actions reads as a response, for any ``Reading``: the resident's own routes
(``/v1/me/benefits``, ``/v1/me/actions``) and a representative's (``/v1/me/represented/{id}/…``) answer
through the same presenters, schemas and ETag rule, so the two cannot drift apart."""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from api.current_hub import current_hub
from api.database import db
from api.pages import decode_cursor
from api.request_context import arrived_at
from api.resident.benefits import presenters
from api.resident.benefits.reading import Reading
from api.resident.benefits.schemas import ActionListSchema, BenefitListSchema
from services.benefits import reads
from services.documents import uploads

# One instance each: a schema built per request rebuilds every nested schema, a fifth of a read's time.
LIST_SCHEMA, ACTIONS_SCHEMA = BenefitListSchema(), ActionListSchema()


def benefits(reading: Reading, args: dict) -> Response:
    """Every benefit of the reading's agencies, with the freshness of each source (``reads.resident_benefits``)."""
    view = reads.resident_benefits(
        current_hub(),
        db(),
        reading.resident_id,
        refresh=args["refresh"],
        limit=args["limit"],
        after=decode_cursor(args["cursor"]),
        arrived_at=arrived_at(),
        within=reading.within,
    )
    locale = reading.locale(view.resident.locale)
    sent = sent_for(reading.resident_id)
    body = {
        "data": [
            presenters.benefit(b, view.actions.get(b.id, []), view.as_of(b.agency), locale, sent=sent)
            for b in view.benefits
        ],
        "meta": presenters.meta(
            view.sources, locale, verified=view.verified, next_after=view.next_after, maintenance=maintenance()
        ),
    }
    return conditional(LIST_SCHEMA.dump(body), locale)


def actions(reading: Reading, args: dict) -> Response:
    """Open actions of the reading's agencies, soonest due first (``reads.resident_open_actions``)."""
    view = reads.resident_open_actions(
        current_hub(),
        db(),
        reading.resident_id,
        limit=args["limit"],
        after=decode_cursor(args["cursor"]),
        within=reading.within,
    )
    locale = reading.locale(view.resident.locale)
    sent = sent_for(reading.resident_id)
    body = {
        "data": [presenters.open_action(a, locale, sent) for a in view.actions],
        "meta": presenters.meta(
            view.sources, locale, verified=view.verified, next_after=view.next_after, maintenance=maintenance()
        ),
    }
    return conditional(ACTIONS_SCHEMA.dump(body), locale)


def maintenance() -> dict:
    """Agencies' planned outages now or within 24 hours (``services/platform/maintenance.py``)."""
    return current_hub().maintenance.upcoming()


def sent_for(resident_id: str) -> dict:
    """What was sent for each of the resident's actions (``services/documents/uploads.py``)."""
    return uploads.uploads_by_action(db(), resident_id)


def conditional(body: dict, locale: str) -> Response:
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
