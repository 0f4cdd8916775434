"""Idempotency keys: a retried write answers what the first one answered, and runs once.

One row per (caller, key): the request's fingerprint, whether it is still running, and its answer once it
has one. Rows live 24 hours (``expires_at``) and are pruned by the ``idempotency.prune`` job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id

IN_FLIGHT = "in_flight"
DONE = "done"


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("caller", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    caller: Mapped[str] = mapped_column(String(160))  # "resident:<id>", "staff:<subject>": keys never cross callers
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, caller, content type, body
    state: Mapped[str] = mapped_column(String(16), default=IN_FLIGHT)
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]
