"""``GET /v1/me/represented/{id}/benefits``, ``…/actions``, ``…/notifications``: what a representative sees of the
person they act for, in the same shapes as the person's own ``/v1/me/benefits``, ``/v1/me/actions`` and
``/v1/me/notifications``.

Only the designation's agencies that the person shares appear (``Visibility.narrowed``), in the representative's
own language (``Accept-Language``, else theirs); freshness, paging, ETags and 304s are the person's own reads'
(``api.resident.benefits.answers``). The first page is served from the person's stored document narrowed to those
agencies, which is exactly the narrowed full read (``tests/acting_for/test_reads.py`` holds them equal). Each
answer is in the person's access log as the representative's (``access.acting_for(reads=…)``).
"""

from __future__ import annotations

from flask import g

from api.database import db
from api.openapi.headers import ACCEPT_LANGUAGE, REQUEST_START
from api.pages import ListPage, PageArgs
from api.resident.acting_for.access import ActingForBlueprint
from api.resident.benefits import answers, stored
from api.resident.benefits.reading import Reading
from api.resident.benefits.schemas import ActionListSchema, BenefitListArgs, BenefitListSchema
from api.resident.notifications.schemas import InboxMeta, NotificationSchema
from api.response_headers import PRIVATE_REVALIDATE, cache_policy
from notifications import inbox
from services.representation.acting import Acting, scope

blp = ActingForBlueprint(
    "acting-for", __name__, url_prefix="/v1/me/represented", description="Acting for someone: what you may see"
)


def reading_of(acting: Acting) -> Reading:
    """The person's picture as the representative reads it: the designation's agencies, their own language."""
    return Reading(acting.person_id, within=acting.agencies, reader_locale=acting.representative_locale)


def _acting_reading() -> Reading:
    return reading_of(g.acting)


@blp.route("/<designation_id>/benefits")
@cache_policy(PRIVATE_REVALIDATE)
@blp.acting_for(reads="represented.benefits.read")
@blp.reads_headers(ACCEPT_LANGUAGE, REQUEST_START)
@stored.served_from_document("benefits", _acting_reading)
@blp.arguments(BenefitListArgs, location="query")
@blp.response(200, BenefitListSchema)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def represented_benefits(args, acting: Acting):
    """The person's benefits at the designation's agencies they share, with the freshness of each source."""
    return answers.benefits(reading_of(acting), args)


@blp.route("/<designation_id>/actions")
@cache_policy(PRIVATE_REVALIDATE)
@blp.acting_for(reads="represented.actions.read")
@blp.reads_headers(ACCEPT_LANGUAGE)
@stored.served_from_document("actions", _acting_reading)
@blp.arguments(PageArgs, location="query")
@blp.response(200, ActionListSchema)
@blp.alt_response(304, description="Not modified (If-None-Match matched the ETag)")
def represented_actions(args, acting: Acting):
    """The person's open actions at the designation's agencies they share, soonest due first."""
    return answers.actions(reading_of(acting), args)


@blp.route("/<designation_id>/notifications", methods=["GET"])
@blp.acting_for(reads="represented.notifications.read")
@blp.reads_headers(ACCEPT_LANGUAGE)
@blp.paginated(NotificationSchema, meta=InboxMeta)
def represented_notifications(args: dict, acting: Acting):
    """The person's messages about the designation's agencies they share, newest first, in your language, with
    how many of them the person has not read."""
    session = db()
    about = scope(session, acting).shared
    page = inbox.inbox_page(session, acting.person_id, limit=args["limit"], after=args["after"], about=about)
    locale = reading_of(acting).locale(None)
    items = [_in_language(message, locale) for message in page.items]
    return ListPage.of(page, items=items, unread_count=inbox.unread_count(session, acting.person_id, about=about))


def _in_language(message, locale: str) -> dict:
    text = inbox.in_language(message, locale)
    return {
        **{name: getattr(message, name) for name in _MESSAGE_FIELDS},
        "title": text.title,
        "body": text.body,
        "locale": text.locale,
        "designation_id": None,
    }


_MESSAGE_FIELDS = ("id", "category", "created_at", "read_at", "benefit_id", "agency", "urgent")
