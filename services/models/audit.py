"""The audit log: who looked at or changed a resident's data, why, and with what outcome.

Rows are append-only and hash-chained: each event's ``hash`` covers its content and the previous event's
hash, and ``id`` is a gapless sequence handed out under the chain-head lock (``AuditChainHead``), so an edited,
deleted or reordered row breaks the chain at that row. On PostgreSQL a trigger refuses UPDATE, DELETE and
TRUNCATE of ``audit_events`` for every database user (see the migration).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base

GENESIS_HASH = "0" * 64
ACTOR_KINDS = ("staff", "app", "resident", "system")
OUTCOMES = ("allowed", "denied", "error")


class AuditEvent(Base):
    """One access or change, as it was decided. Never updated: a later review is a new event."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resident", "resident_id", "id"),
        Index("ix_audit_events_actor", "actor_id", "id"),
        Index("ix_audit_events_occurred_at", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime]
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(255))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    resident_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    route: Mapped[str | None] = mapped_column(String(255))
    fields: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))
    break_glass: Mapped[bool] = mapped_column(default=False)
    flagged_for_review: Mapped[bool] = mapped_column(default=False)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """The one row that says where the chain ends; appends lock it, so they happen one at a time."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
