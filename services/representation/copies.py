"""Copies of the person's messages for their representatives: who gets one, and whether one still stands.

Decisions:

- A message about an agency (its ``agency``) is copied to every representative whose designation stands at that
  agency when it is dispatched; the person shares that agency by then (dispatch writes no message otherwise). A
  message about the account itself (no agency: sign-in, devices, a case linked elsewhere) is never copied.
- A copy *stands* while its designation has not ended, its part at the copy's agency has not ended, and the person
  still shares that agency. A copy that no longer stands is not listed in the representative's inbox (nor
  counted, nor markable: the same 404 as none) and a push of it still queued is cancelled
  (``representation_ended``): ending a designation, or the person's consent, takes back what the app shows.
- One copy per representative per message, whichever of their designations covers it (the oldest is named).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from services.models.identity import Consent
from services.models.notifications import NotificationMessage
from services.models.representation import PLATFORM_ENDED, DesignationAgency, RepresentativeDesignation
from services.representation.grants import Grant, grant_of


def grants_by_person(session: Session, person_ids: Iterable[str]) -> dict[str, list[Grant]]:
    """Every active designation of each of many people, oldest first, in two statements (a dispatch batch)."""
    ids = sorted(set(person_ids))
    found: dict[str, list[Grant]] = {}
    if not ids:
        return found
    designations = session.scalars(
        select(RepresentativeDesignation)
        .where(RepresentativeDesignation.person_id.in_(ids), RepresentativeDesignation.ended_at.is_(None))
        .options(selectinload(RepresentativeDesignation.agencies))
        .order_by(RepresentativeDesignation.created_at, RepresentativeDesignation.id)
    )
    for grant in map(grant_of, designations):
        if grant is not None and grant.representative_id != grant.person_id:
            found.setdefault(grant.person_id, []).append(grant)
    return found


def copy_recipients(grants: Iterable[Grant], agency: str | None) -> dict[str, Grant]:
    """Who gets a copy of the person's message about ``agency``: each representative once, by the oldest grant."""
    recipients: dict[str, Grant] = {}
    if not agency:
        return recipients
    for grant in grants:
        if agency in grant.agencies:
            recipients.setdefault(grant.representative_id, grant)
    return recipients


def copy_stands() -> ColumnElement[bool]:
    """SQL: this ``NotificationMessage`` (a copy) still stands (the module's decisions)."""
    withheld = (
        select(Consent.id)
        .where(
            Consent.resident_id == RepresentativeDesignation.person_id,
            Consent.agency == NotificationMessage.agency,
            Consent.granted.is_(False),
        )
        .correlate(RepresentativeDesignation, NotificationMessage)
    )
    standing = (
        select(DesignationAgency.id)
        .join(RepresentativeDesignation, RepresentativeDesignation.id == DesignationAgency.designation_id)
        .where(
            DesignationAgency.designation_id == NotificationMessage.designation_id,
            DesignationAgency.agency == NotificationMessage.agency,
            DesignationAgency.status != PLATFORM_ENDED,
            RepresentativeDesignation.ended_at.is_(None),
            ~exists(withheld),
        )
        .correlate(NotificationMessage)
    )
    return exists(standing)


def shown_in_inbox() -> ColumnElement[bool]:
    """SQL: a message its recipient's inbox lists: their own, or a copy that still stands."""
    return or_(NotificationMessage.designation_id.is_(None), copy_stands())


def standing_copies(session: Session, message_ids: Iterable[str]) -> set[str]:
    """Which of these copies still stand, in one statement (a send batch)."""
    ids = sorted(set(message_ids))
    if not ids:
        return set()
    return set(session.scalars(select(NotificationMessage.id).where(NotificationMessage.id.in_(ids), copy_stands())))
