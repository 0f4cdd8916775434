"""The inbox: every message a resident was sent, newest first, with an unread count; and, for support, each
message with every push delivery attempt behind it."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import clock
from services.errors import NotFound
from services.models.notifications import NotificationMessage, PushDelivery
from services.pagination import Page, keyset_page


def inbox_page(session: Session, resident_id: str, *, limit: int, after: dict | None) -> Page:
    stmt = select(NotificationMessage).where(NotificationMessage.resident_id == resident_id)
    return keyset_page(
        session, stmt, key=[NotificationMessage.created_at, NotificationMessage.id], limit=limit, after=after
    )


def unread_count(session: Session, resident_id: str) -> int:
    return session.scalar(
        select(func.count())
        .select_from(NotificationMessage)
        .where(NotificationMessage.resident_id == resident_id, NotificationMessage.read_at.is_(None))
    )


def mark_read(session: Session, resident_id: str, message_id: str) -> NotificationMessage:
    """Mark one of the resident's messages read (idempotent: the first read time stays); others' ids are 404."""
    message = session.scalar(
        select(NotificationMessage).where(
            NotificationMessage.id == message_id, NotificationMessage.resident_id == resident_id
        )
    )
    if message is None:
        raise NotFound("There is no such notification.")
    if message.read_at is None:
        message.read_at = clock.now()
    return message


@dataclasses.dataclass
class MessageWithDeliveries:
    message: NotificationMessage
    deliveries: list[PushDelivery]


def messages_with_deliveries(
    session: Session, resident_id: str, *, limit: int = 50, after: dict | None = None
) -> tuple[list[MessageWithDeliveries], dict | None]:
    """For the admin API: a page of the resident's messages, newest first, each with every delivery row
    (device id, round, kind, state, attempts, provider message id, error code). Returns ``(items, next_after)``
    where ``next_after`` feeds ``api.pages``."""
    page = inbox_page(session, resident_id, limit=limit, after=after)
    ids = [message.id for message in page.items]
    by_message: dict[str, list[PushDelivery]] = {message_id: [] for message_id in ids}
    if ids:
        rows = session.scalars(
            select(PushDelivery)
            .where(PushDelivery.message_id.in_(ids))
            .order_by(PushDelivery.created_at, PushDelivery.send_round, PushDelivery.id)
        )
        for delivery in rows:
            by_message[delivery.message_id].append(delivery)
    return [MessageWithDeliveries(message, by_message[message.id]) for message in page.items], page.next_after
