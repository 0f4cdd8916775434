"""The resident's benefits and actions reads served from their stored documents (``services.benefits.documents``).

``render`` is how a document's items are made: the same presenters and the same documented schemas as the full
read, run when the resident's picture changes. ``served_from_document`` answer a read
from the document (no ORM, no marshmallow, orjson) before its query is parsed, or let the full read answer (a
refresh, a later page, an unverified resident, a source never fetched, no document of this version). A missing or outdated
document (a resident untouched since a release that changed texts) is rendered by a background job while the
full read answers; ``flask resident-views render`` renders everyone at once.

A source's ``maintenance`` (a planned outage now or within 24 hours) moves with time, so it is not stored: it is
added at serve time from the per-process maintenance calendar (``Hub.maintenance``, no statement while cached),
with the full read's presenter. The body and its ETag are byte for byte the full read's (sorted keys, compact, non-ASCII as is):
``tests/benefits/test_stored_reads.py`` compares them and validates the stored answer with the schema.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from typing import Any

import orjson
from flask import Response, g, request

from api.current_hub import current_hub
from api.database import read_connection
from api.pages import first_page_limit, page_meta
from api.resident.benefits import presenters
from api.resident.benefits.reading import Reading, own_reading
from api.resident.benefits.schemas import BenefitSchema, MaintenanceSchema, OpenActionSchema, SourceSchema
from services import clock
from services.benefits import documents
from services.benefits.reads import queue_refreshes
from services.texts.catalogue import texts

BENEFIT, OPEN_ACTION, SOURCE_AS_OF = BenefitSchema(), OpenActionSchema(), SourceSchema(only=("as_of",))
MAINTENANCE = MaintenanceSchema()
_JSON = orjson.OPT_SORT_KEYS


def render(gathered: documents.Gathered, locale: str) -> dict[str, Any]:
    """The document's items in ``locale``, as the full read's presenters and schemas make them."""
    return {
        "benefits": [
            BENEFIT.dump(
                presenters.benefit(
                    b, gathered.actions.get(b.id, []), gathered.as_of(b.agency), locale, sent=gathered.sent
                )
            )
            for b in gathered.benefits
        ],
        "actions": [OPEN_ACTION.dump(presenters.open_action(a, locale, gathered.sent)) for a in gathered.open_actions],
    }


def as_of(value) -> str:
    """A source's ``as_of`` as the documented schema writes it."""
    return SOURCE_AS_OF.dump({"as_of": value})["as_of"]


def served_from_document(kind: str, reading: Callable[[], Reading] = own_reading) -> Callable[[Callable], Callable]:
    """Answer a first page of ``kind`` (``benefits`` or ``actions``) from the stored document, before the query
    is parsed; anything else (a cursor, ``?refresh=``, an unusual query, no servable document) goes on to the
    full read and its validation. Put it directly above ``@blp.arguments``. ``reading``: whose document, of which
    agencies, in whose language (a representative's reading is the person's document ``narrowed``)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            limit = first_page_limit(request.args)
            if limit is not None:
                answer = _answer(reading(), kind, limit, inline=kind == "benefits")
                if answer is not None:
                    return answer
            return view(*args, **kwargs)

        wrapper.session_joined = documents.with_stored_views  # read with the token's session (api.auth.guards)
        return wrapper

    return decorator


def _answer(reading: Reading, kind: str, limit: int, *, inline: bool) -> Response | None:
    resident_id = reading.resident_id
    joined = g.get("session_rows")
    resident = None
    if joined and "view_document" in joined[0]._fields:
        resident = documents.stored_resident_joined(joined, resident_id)
    if resident is None:
        resident = documents.stored_resident(read_connection(), resident_id)
    if resident is None or not resident.verified:
        return None
    locale = reading.locale(resident.locale)
    document = resident.document(locale)
    if document is None:
        documents.queue_render(current_hub(), resident_id)
        return None
    if reading.within is not None:
        document = documents.narrowed(document, reading.within)
    hub = current_hub()
    stored = documents.page(
        document, kind, limit=limit, now=clock.now(), fresh_seconds=hub.settings.fresh_seconds, inline=inline
    )
    if stored is None:
        return None
    if stored.wants_refresh:
        queue_refreshes(hub, resident_id, sorted(stored.wants_refresh) if kind == "benefits" else stored.wants_refresh)
    now, windows = clock.now(), hub.maintenance.upcoming()  # cached per process: no statement most of the time
    sources = [
        {**source, "maintenance": _maintenance(windows.get(source["agency"]), now, locale)} for source in stored.sources
    ]
    body = {
        "data": stored.items,
        "meta": page_meta(
            stored.next_after,
            sources=sources,
            locale=locale,
            identity_verification_required=False,
            message=None,
        ),
    }
    return conditional(orjson.dumps(body, option=_JSON), locale)


def _maintenance(window, now, locale: str) -> dict[str, Any] | None:
    """A window as the full read's presenter and schema show it. What they show depends on the window, the
    language and whether it has started (not on the minute), so it is formatted once per process for each."""
    if window is None:
        return None
    return _shown_window(window, window.starts_at <= now, locale, texts())


@functools.lru_cache(maxsize=256)
def _shown_window(window, started: bool, locale: str, _catalogue) -> dict[str, Any]:
    moment = window.starts_at if started else window.starts_at - dt.timedelta(microseconds=1)
    return MAINTENANCE.dump(presenters.window(window, moment, locale))


def conditional(raw: bytes, locale: str) -> Response:
    """The JSON response with a strong ETag over its bytes, or 304 when the client already holds exactly them."""
    etag = hashlib.sha256(raw).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Vary": "Authorization, Accept-Language", "Content-Language": locale}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(raw, status=200, mimetype="application/json", headers=headers)
