"""Notifications: push devices, inbox messages, per-device push deliveries and per-resident preferences.

A message is what the resident reads in the inbox (one per event per resident: ``dedupe_key`` is unique). A
delivery is one push of one message to one device; ``(message_id, device_id, send_round)`` is unique, and the
dispatcher only ever writes round 0, so an event is pushed at most once to a device. Support's resend adds a
new round (``kind = "resend"``), recorded as such.

A message keeps what it needs to render its lock-screen text later (``template_key``, ``params``, ``locale``),
never the final push text: whether a push goes out, and what it says, is decided when it is sent
(``notifications.send_time``). A sender holds the deliveries it claimed under a ``PushSendClaim`` whose
lease it renews while it works, so only the batches of a sender that really stopped are taken back.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id


class CancelReason(StrEnum):
    """Why a push delivery was ``cancelled`` (its ``error_code``), shown to support with every delivery."""

    DEVICE_INACTIVE = "device_inactive"  # at send time: the device had been switched off
    DEVICE_MOVED = "device_moved"  # its token now belongs to another resident
    CONSENT_WITHDRAWN = "consent_withdrawn"  # the resident stopped sharing the message's agency
    CATEGORY_DISABLED = "category_disabled"  # the resident switched the message's category off
    DEVICE_SIGNED_OUT = "device_signed_out"  # still queued when its session signed out
    DEVICE_REMOVED = "device_removed"  # still queued when the resident removed the device
    DEVICE_TOKEN_INVALID = "device_token_invalid"  # noqa: S105  (queued when FCM said the token is dead)
    REPRESENTATION_ENDED = "representation_ended"  # a copy whose designation (at its agency) ended meanwhile


class Device(Base):
    """A phone registered for push. The token is a secret: stored to send, found by its hash, never shown whole."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[str | None] = mapped_column(ForeignKey("hub_sessions.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    app_id: Mapped[str] = mapped_column(String(128))
    locale: Mapped[str | None] = mapped_column(String(16))
    push_token: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_suffix: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    registered_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    deactivated_at: Mapped[dt.datetime | None]


class NotificationPreference(Base):
    """A resident's choices; no row means the defaults (every category on, no quiet hours, private previews)."""

    __tablename__ = "notification_preferences"

    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    disabled_categories: Mapped[list] = mapped_column(JSON, default=list)
    quiet_hours_start: Mapped[dt.time | None] = mapped_column(Time)
    quiet_hours_end: Mapped[dt.time | None] = mapped_column(Time)
    detailed_previews: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class NotificationMessage(Base):
    """One inbox message, rendered once in the resident's language. The lock-screen text is rendered per push,
    at send time, from ``template_key`` + ``params`` (the raw values the template needs) in the resident's
    language of that moment, private unless they then allow detailed previews. ``params`` is ``None`` only for
    messages written before send-time rendering: those always get the private text.

    A *copy* (``designation_id`` set) is a representative's copy of a message the person they act for was sent
    (``notifications.copies``): the same template and parameters, with the person's given name
    (``params["represented_name"]``), shown and pushed only while that designation stands at its agency and the
    person shares it."""

    __tablename__ = "notification_messages"
    __table_args__ = (Index("ix_notification_messages_inbox", "resident_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    outbox_event_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    template_key: Mapped[str] = mapped_column(String(64))
    agency: Mapped[str | None] = mapped_column(String(16))
    benefit_id: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict | None] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    read_at: Mapped[dt.datetime | None]
    designation_id: Mapped[str | None] = mapped_column(String(32))  # a copy: the designation it was sent under


class PushDelivery(Base):
    """One push of one message to one device, and what became of it.

    ``state``: queued → sending (claimed by a worker) → sent | failed | token_invalid | cancelled; a
    retryable answer puts it back to queued with ``next_attempt_at`` later (FCM's ``Retry-After`` when it
    asked for longer). ``not_before`` records the end of quiet hours when the push was held for them. A
    cancelled push says why in ``error_code`` (a ``CancelReason``).
    """

    __tablename__ = "push_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "device_id", "send_round"),
        Index("ix_push_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(ForeignKey("notification_messages.id", ondelete="CASCADE"), index=True)
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    send_round: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="initial")
    requested_by: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[dt.datetime | None]
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[dt.datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(255))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_detail: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[dt.datetime | None]


class PushSendClaim(Base):
    """A batch of deliveries one sender is working on (``push_deliveries.claim_token``), and its lease.

    The sender renews ``expires_at`` while it sends; a batch is taken back only by deleting its claim after
    the lease ran out, so a sender that is slow (FCM asking it to wait) keeps its batch, and one that died
    loses it within ``notifications.delivery.SENDING_LEASE``. ``holder`` (host:pid) is for operators.
    """

    __tablename__ = "push_send_claims"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    renewed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
