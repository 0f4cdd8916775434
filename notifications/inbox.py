"""The inbox: every message a resident was sent, newest first, with an unread count; and, for support, each
message with every push delivery attempt behind it.

A representative's copies of the person's messages are in the representative's inbox while they stand
(``services.representation.copies``). What a representative reads *of the person's* inbox (``about``: the agencies
they may see) is the person's own messages about those agencies only: never the account's, never the copies the
person holds as someone else's representative; each in the reader's language (``in_language``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from sqlalchemy import Row, bindparam, func, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from notifications.render import TemplateError, render_message
from services import clock
from services.errors import NotFound
from services.models.notifications import NotificationMessage, PushDelivery
from services.pagination import Page, keyset_page
from services.representation.copies import shown_in_inbox


def inbox_page(
    session: Session, resident_id: str, *, limit: int, after: dict | None, about: Collection[str] | None = None
) -> Page:
    stmt = select(NotificationMessage).where(*_listed(resident_id, about))
    return keyset_page(
        session, stmt, key=[NotificationMessage.created_at, NotificationMessage.id], limit=limit, after=after
    )


def unread_count(session: Session, resident_id: str, *, about: Collection[str] | None = None) -> int:
    return session.scalar(
        select(func.count())
        .select_from(NotificationMessage)
        .where(*_listed(resident_id, about), NotificationMessage.read_at.is_(None))
    )


def _listed(resident_id: str, about: Collection[str] | None) -> list:
    """The resident's own inbox (``about`` None), or what a representative of ``about`` reads of it."""
    if about is None:
        return [NotificationMessage.resident_id == resident_id, shown_in_inbox()]
    return [
        NotificationMessage.resident_id == resident_id,
        NotificationMessage.agency.in_(sorted(about) or [""]),
        NotificationMessage.designation_id.is_(None),
    ]


@dataclasses.dataclass(frozen=True)
class InboxText:
    locale: str
    title: str
    body: str


def in_language(message: NotificationMessage, locale: str) -> InboxText:
    """The message's inbox text in ``locale`` (a representative reading it in their language), rendered again from
    its template and parameters; as it was written when those are gone or no longer render."""
    if message.params is not None:
        try:
            rendered = render_message(message.template_key, message.params, locale)
            return InboxText(rendered.locale, rendered.inbox_title, rendered.inbox_body)
        except TemplateError:
            pass
    return InboxText(message.locale, message.title, message.body)


_INBOX_COLUMNS = (
    NotificationMessage.id,
    NotificationMessage.category,
    NotificationMessage.title,
    NotificationMessage.body,
    NotificationMessage.locale,
    NotificationMessage.created_at,
    NotificationMessage.read_at,
    NotificationMessage.benefit_id,
    NotificationMessage.agency,
    NotificationMessage.urgent,
    NotificationMessage.designation_id,
)
_UNREAD = (
    select(func.count().label("unread_count"))
    .where(
        NotificationMessage.resident_id == bindparam("resident_id"),
        shown_in_inbox(),
        NotificationMessage.read_at.is_(None),
    )
    .subquery()
)
_NEWEST = (
    select(*_INBOX_COLUMNS)
    .where(NotificationMessage.resident_id == bindparam("resident_id"), shown_in_inbox())
    .order_by(NotificationMessage.created_at.desc(), NotificationMessage.id.desc())
    .limit(bindparam("rows"))
    .subquery()
)
# Built once: the unread count and the newest messages (one more than a page, to know whether another follows) in
# one statement, as plain rows; the count's single row keeps the answer one row long when the inbox is empty.
_FIRST_PAGE = (
    select(_UNREAD.c.unread_count, _NEWEST)
    .select_from(_UNREAD.outerjoin(_NEWEST, true()))
    .order_by(_NEWEST.c.created_at.desc(), _NEWEST.c.id.desc())
)


@dataclasses.dataclass(frozen=True)
class FirstPage:
    """The inbox's first page as ``inbox_page`` and ``unread_count`` answer it, from one statement."""

    items: list[Row]  # the columns ``NotificationSchema`` shows, newest first
    next_after: dict | None
    unread_count: int


def inbox_first_page(connection: Connection, resident_id: str, *, limit: int) -> FirstPage:
    rows = connection.execute(_FIRST_PAGE, {"resident_id": resident_id, "rows": limit + 1}).all()
    items = [row for row in rows if row.id is not None]
    if len(items) <= limit:
        return FirstPage(items, None, rows[0].unread_count)
    last = items[limit - 1]
    return FirstPage(items[:limit], {"created_at": last.created_at.isoformat(), "id": last.id}, rows[0].unread_count)


def mark_read(session: Session, resident_id: str, message_id: str) -> NotificationMessage:
    """Mark one of the resident's messages read (idempotent: the first read time stays); others' ids are 404."""
    message = session.scalar(
        select(NotificationMessage).where(
            NotificationMessage.id == message_id, NotificationMessage.resident_id == resident_id, shown_in_inbox()
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
