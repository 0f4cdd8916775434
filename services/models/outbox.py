"""The outbox table: domain events written in the same transaction as the change that caused them.

Written only through ``services.outbox.write_events`` (the event catalogue is there); read only by the dispatcher,
``notifications/dispatch.py``, in ``id`` order. ``dedupe_key`` (unique) makes every change land once, however many
times sync sees it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_pending", "processed_at", "id"),
        Index("ix_outbox_events_resident", "resident_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    resident_id: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str | None] = mapped_column(String(8))
    benefit_id: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    processed_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
