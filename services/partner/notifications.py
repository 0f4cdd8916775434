"""Program notifications from partner apps: accept one for the residents of a case, and tell the partner what
became of it (status, push counts, timestamps; never a name, a device or a token).

A case is found among the records the hub holds for the partner's own agency (``Benefit.case_number`` of that
agency). A number the hub does not know there, whether it is unknown everywhere or a case of another agency, is
the same 404 (``CaseNotFound``): a partner learns nothing about other agencies' cases. Accepting writes, in the
request's transaction, the notification, one recipient row and one outbox event (``partner.message``) per
resident of the case, and one audit event per resident (the app as actor): so the message follows every rule
residents have (consent, categories, quiet hours, previews, language) through the same dispatcher and sender as
every other message, and the resident's access log names the app.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.audit import Actor, record_access
from services.errors import NotFound
from services.identity.field_crypto import LookupHasher
from services.models.benefits import Benefit
from services.models.notifications import PushDelivery
from services.models.partners import PartnerApp, PartnerNotification, PartnerRecipient
from services.outbox import PARTNER_MESSAGE, DomainEvent, write_events
from services.pagination import Page, keyset_page
from services.partner.messages import MAX_BODY, MAX_TITLE, check_personalisation, fill

ACCEPTED, DELIVERED, WITHHELD, NO_RECIPIENT, FAILED = "accepted", "delivered", "withheld", "no_recipient", "failed"
STATUSES = (ACCEPTED, DELIVERED, WITHHELD, NO_RECIPIENT, FAILED)
SENT_STATES = ("sent",)
FAILED_STATES = ("failed", "token_invalid")
PENDING_STATES = ("queued", "sending")


class CaseNotFound(NotFound):
    title = "Case not found"
    slug = "case-not-found"


class NotificationNotFound(NotFound):
    title = "Notification not found"
    slug = "partner-notification-not-found"


@dataclasses.dataclass(frozen=True)
class NewNotification:
    case_number: str
    category: str
    title: Mapping[str, str]
    body: Mapping[str, str]
    reference: str | None = None
    personalisation: Mapping[str, object] | None = None


def case_residents(session: Session, agency: str, case_number: str) -> list[str]:
    """The residents the hub holds a record of ``case_number`` at ``agency`` for (exact match)."""
    number = case_number.strip()
    if not number:
        return []
    stmt = select(Benefit.resident_id).where(Benefit.agency == agency, Benefit.case_number == number).distinct()
    return sorted(session.scalars(stmt))


def accept_notification(
    session: Session,
    hasher: LookupHasher,
    app: PartnerApp,
    actor: Actor,
    new: NewNotification,
    *,
    route: str,
    request_id: str | None,
) -> PartnerNotification:
    """Write the notification, its recipients, their outbox events and audit events; the caller commits."""
    values = check_personalisation(new.personalisation)
    texts = {"title": fill("title", new.title, values, MAX_TITLE), "body": fill("body", new.body, values, MAX_BODY)}
    residents = case_residents(session, app.agency, new.case_number)
    if not residents:
        raise CaseNotFound(
            "Your agency has no case with this number that a resident holds in the hub.",
            errors={"case_number": ["No such case at your agency."]},
        )
    notification = PartnerNotification(
        client_id=app.client_id,
        agency=app.agency,
        case_key=hasher.case(app.agency, new.case_number),
        category=new.category,
        reference=new.reference,
        texts=texts,
    )
    session.add(notification)
    session.flush()
    for resident_id in residents:
        session.add(PartnerRecipient(notification_id=notification.id, resident_id=resident_id))
        payload = {
            "partner_notification_id": notification.id,
            "client_id": app.client_id,
            "agency": app.agency,
            "category": new.category,
        }
        write_events(session, resident_id, [DomainEvent(PARTNER_MESSAGE, payload, f"partner:{notification.id}")])
        record_access(
            session,
            actor,
            "partner.notification.send",
            resident_id=resident_id,
            route=route,
            fields=[f"notification:{notification.id}", f"category:{new.category}", f"agency:{app.agency}"],
            request_id=request_id,
        )
    return notification


def own_notification(session: Session, app: PartnerApp, notification_id: str) -> PartnerNotification:
    """The app's own notification; another app's (even of the same agency) is a 404 like an unknown id."""
    found = session.get(PartnerNotification, notification_id)
    if found is None or found.client_id != app.client_id:
        raise NotificationNotFound("You have no notification with this id.")
    return found


def notifications_page(
    session: Session,
    app: PartnerApp,
    *,
    reference: str | None,
    since: dt.datetime | None,
    limit: int,
    after: dict | None,
) -> Page:
    stmt = select(PartnerNotification).where(PartnerNotification.client_id == app.client_id)
    if reference is not None:
        stmt = stmt.where(PartnerNotification.reference == reference)
    if since is not None:
        stmt = stmt.where(PartnerNotification.created_at >= since)
    return keyset_page(
        session, stmt, key=[PartnerNotification.created_at, PartnerNotification.id], limit=limit, after=after
    )


@dataclasses.dataclass(frozen=True)
class PushCounts:
    sent: int = 0
    failed: int = 0
    pending: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def push_counts(session: Session, notification_ids: list[str]) -> dict[str, PushCounts]:
    """Pushes per notification by state, counted over every recipient's message (one statement)."""
    if not notification_ids:
        return {}
    rows = session.execute(
        select(PartnerRecipient.notification_id, PushDelivery.state, func.count())
        .join(PushDelivery, PushDelivery.message_id == PartnerRecipient.message_id)
        .where(PartnerRecipient.notification_id.in_(notification_ids))
        .group_by(PartnerRecipient.notification_id, PushDelivery.state)
    )
    counts: dict[str, dict[str, int]] = {}
    for notification_id, state, count in rows:
        bucket = counts.setdefault(notification_id, {"sent": 0, "failed": 0, "pending": 0, "cancelled": 0})
        if state in SENT_STATES:
            bucket["sent"] += count
        elif state in FAILED_STATES:
            bucket["failed"] += count
        elif state in PENDING_STATES:
            bucket["pending"] += count
        else:
            bucket["cancelled"] += count
    return {key: PushCounts(**value) for key, value in counts.items()}


def delivered_at(session: Session, notification_ids: list[str]) -> dict[str, dt.datetime]:
    """When each notification first reached an inbox."""
    if not notification_ids:
        return {}
    rows = session.execute(
        select(PartnerRecipient.notification_id, func.min(PartnerRecipient.decided_at))
        .where(PartnerRecipient.notification_id.in_(notification_ids), PartnerRecipient.outcome == DELIVERED)
        .group_by(PartnerRecipient.notification_id)
    )
    return {notification_id: when for notification_id, when in rows if when is not None}


def recipients_of(session: Session, notification_ids: list[str]) -> dict[str, list[PartnerRecipient]]:
    """For support: each notification's recipients (resident id, outcome, inbox message id)."""
    found: dict[str, list[PartnerRecipient]] = {notification_id: [] for notification_id in notification_ids}
    if notification_ids:
        rows = session.scalars(
            select(PartnerRecipient)
            .where(PartnerRecipient.notification_id.in_(notification_ids))
            .order_by(PartnerRecipient.notification_id, PartnerRecipient.resident_id)
        )
        for row in rows:
            found[row.notification_id].append(row)
    return found


def senders_of(session: Session, message_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """For support's view of a resident's messages: which partner app sent each message that came from one."""
    if not message_ids:
        return {}
    rows = session.execute(
        select(PartnerRecipient.message_id, PartnerNotification.id, PartnerNotification.reference, PartnerApp)
        .join(PartnerNotification, PartnerNotification.id == PartnerRecipient.notification_id)
        .join(PartnerApp, PartnerApp.client_id == PartnerNotification.client_id)
        .where(PartnerRecipient.message_id.in_(message_ids))
    )
    return {
        message_id: {
            "client_id": app.client_id,
            "name": app.name,
            "agency": app.agency,
            "notification_id": notification_id,
            "reference": reference,
        }
        for message_id, notification_id, reference, app in rows
    }
