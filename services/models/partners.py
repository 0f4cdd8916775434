"""Partner apps (agency systems and agency app back ends), the notifications they send, their recipients, and the
signed callbacks that tell a partner what became of each notification.

A partner app is also an ``AppClient`` row of kind ``partner`` (one namespace of client ids for every kind of
app); its keys, scopes, callback and suspension live here. The callback secret is stored only as Fernet
ciphertext (``services.identity.field_crypto``): it must be read back to sign, and is shown once when made.

A partner notification keeps the partner's own texts (already personalised) because the dispatcher renders the
inbox message from them; what it says about its recipients is only outcomes and ids, never a name or a token.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id


class PartnerApp(Base):
    """A registered partner app: its agency, keys (a JWKS inline or at ``jwks_url``), scopes and callback."""

    __tablename__ = "partner_apps"

    client_id: Mapped[str] = mapped_column(ForeignKey("app_clients.client_id", ondelete="CASCADE"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(8), index=True)
    name: Mapped[str] = mapped_column(String(200))
    jwks: Mapped[dict | None] = mapped_column(JSON)
    jwks_url: Mapped[str | None] = mapped_column(String(2000))
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    callback_url: Mapped[str | None] = mapped_column(String(2000))
    callback_secret_encrypted: Mapped[str | None] = mapped_column(String(500))
    suspended: Mapped[bool] = mapped_column(default=False)
    keys_updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PartnerNotification(Base):
    """One accepted ``POST /v1/partner/notifications``: ``status`` accepted → delivered | withheld |
    no_recipient | failed (``services.partner.status``)."""

    __tablename__ = "partner_notifications"
    __table_args__ = (
        Index("ix_partner_notifications_app", "client_id", "created_at", "id"),
        Index("ix_partner_notifications_reference", "client_id", "reference"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("partner_apps.client_id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    case_key: Mapped[str] = mapped_column(String(64))  # keyed hash of agency and case number (no number stored)
    category: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))
    texts: Mapped[dict] = mapped_column(JSON)  # {"title": {locale: text}, "body": {locale: text}}, personalised
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class PartnerRecipient(Base):
    """One resident a partner notification was addressed to, and what the dispatcher made of it: ``pending``
    until dispatched, then ``delivered`` (``message_id`` in their inbox), ``withheld`` (they do not share the
    agency), ``no_recipient`` (no longer there) or ``failed``."""

    __tablename__ = "partner_recipients"
    __table_args__ = (UniqueConstraint("notification_id", "resident_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(ForeignKey("partner_notifications.id", ondelete="CASCADE"))
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    message_id: Mapped[str | None] = mapped_column(String(32), index=True)
    decided_at: Mapped[dt.datetime | None]


class PartnerCallback(Base):
    """One signed POST of a status change to a partner's callback URL. ``body`` is the exact JSON sent (its HMAC
    is the signature), so a retry sends the same bytes. ``state``: pending → delivered | failed (a 4xx other than
    429, or out of attempts)."""

    __tablename__ = "partner_callbacks"
    __table_args__ = (Index("ix_partner_callbacks_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("partner_apps.client_id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[str] = mapped_column(ForeignKey("partner_notifications.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    delivered_at: Mapped[dt.datetime | None]
