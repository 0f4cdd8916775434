"""Nudges (``services/nudges``): the one row per nudge a resident was shown, and the kinds they switched off.

What a row keeps is only what dismissing and dedupe need: whose it is, its kind, its subject (the ids and date it
is about: a benefit or action id and a due date, or a season's start, never names, ages, household members or
the reasons), its agency (so consent hides it), when it was first seen, dismissed and pushed. The title, body and
reasons are worked out again on every read from the records the hub holds, and stop the moment the facts stop
holding or the agency is no longer shared.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id


class Nudge(Base):
    __tablename__ = "nudges"
    __table_args__ = (
        UniqueConstraint("resident_id", "kind", "subject"),
        Index("ix_nudges_resident_pushed", "resident_id", "pushed_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    dismissed_at: Mapped[dt.datetime | None]
    pushed_at: Mapped[dt.datetime | None]


class NudgeOptOut(Base):
    """A kind of nudge the resident does not want (``PUT /v1/me/nudges/preferences``): neither shown nor pushed."""

    __tablename__ = "nudge_opt_outs"

    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
