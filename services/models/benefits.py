"""Benefit snapshots: the last good picture of each resident's records at each source, and sync bookkeeping.

``benefit_sources`` holds one row per resident per agency (freshness, content hash, last error);
``benefits`` one row per enrolment or application (query columns plus the whole normalised record as JSON);
``benefit_actions`` one row per thing the resident must do (its own table so "open actions, soonest first"
is one indexed query). ``platform_events`` remembers processed change events (idempotency by event id),
``platform_event_inbox`` holds accepted events until they are applied, and ``sync_checkpoints`` lets a bulk
reconciliation resume where it stopped.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id

NO_DUE_DATE = dt.date(9999, 12, 31)  # sorts actions without a due date last


class BenefitSource(Base):
    """What the hub knows of one resident at one agency: when it last had a good answer and what went wrong."""

    __tablename__ = "benefit_sources"
    __table_args__ = (UniqueConstraint("resident_id", "agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    as_of: Mapped[dt.datetime | None]  # hub clock: last good answer (pull or pushed event)
    attempted_at: Mapped[dt.datetime | None]
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error_detail: Mapped[str | None] = mapped_column(String(300))
    error_at: Mapped[dt.datetime | None]
    refresh_requested_at: Mapped[dt.datetime | None]
    # platform time of the state the stored picture shows, and whether that is the platform's own instant
    # (services/benefits/view_order.py): an older view never replaces it
    view_at: Mapped[dt.datetime | None]
    view_exact: Mapped[bool] = mapped_column(default=False, server_default=false())


class Benefit(Base):
    """One enrolment or application, normalised. ``document`` is the whole record; columns serve queries."""

    __tablename__ = "benefits"
    __table_args__ = (UniqueConstraint("resident_id", "agency", "source_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    source_key: Mapped[str] = mapped_column(String(96))
    program_code: Mapped[str] = mapped_column(String(16))
    case_number: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    renewal_due_on: Mapped[dt.date | None] = mapped_column(Date)
    next_payment_on: Mapped[dt.date | None] = mapped_column(Date)
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class BenefitAction(Base):
    """Something a resident must do for one benefit; ``source_key`` is the agency's id for it."""

    __tablename__ = "benefit_actions"
    __table_args__ = (
        UniqueConstraint("benefit_id", "source_key"),
        Index("ix_benefit_actions_resident_due", "resident_id", "sort_on", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    benefit_id: Mapped[str] = mapped_column(ForeignKey("benefits.id", ondelete="CASCADE"))
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    program_code: Mapped[str] = mapped_column(String(16))
    source_key: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    scheduled_at: Mapped[dt.datetime | None]
    sort_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class PlatformEvent(Base):
    """A change event the platform delivered: its id makes redelivery harmless."""

    __tablename__ = "platform_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(8))
    # applied | unchanged | stale | ignored | source_error | refresh_queued
    outcome: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)


class PlatformEventInbox(Base):
    """A change event accepted and not yet applied (``services.benefits.event_inbox``): the row is the durable
    promise behind the 202, deleted in the transaction that applies the event, so a crash loses nothing. One whose
    application failed counts its ``attempts`` and waits until ``next_attempt_at`` (its record's later events
    behind it); after the last attempt it is set aside (``set_aside_at``: kept for support, pruned like processed
    events) and its record refreshed from the platform. ``last_error`` is the exception's class name only."""

    __tablename__ = "platform_event_inbox"
    __table_args__ = (Index("ix_platform_event_inbox_record", "agency", "record_id"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(8))
    record_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime]
    document: Mapped[str] = mapped_column(Text)  # the event's document as JSON text (XML arrives as a JSON string)
    received_at: Mapped[dt.datetime] = mapped_column(default=clock.now, index=True)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[dt.datetime | None]  # None: due now (never failed)
    set_aside_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(64))


class SyncCheckpoint(Base):
    """How far a bulk reconciliation got (``position`` = the last resident id done), so ``--resume`` continues."""

    __tablename__ = "sync_checkpoints"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[str] = mapped_column(String(64), default="")
    processed: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[dt.datetime | None]


class ResidentView(Base):
    """What one resident sees in one language, rendered when it changes (``services.benefits.documents``).

    ``document`` is JSON text (read with orjson, never through the ORM on a read): the benefits and open
    actions as the documented schemas dump them, in the order a read pages them, and the raw state of each
    source so freshness is computed from ``as_of`` at read time. ``version`` names the code and the text
    catalogue that rendered it; a read of another version renders again.
    """

    __tablename__ = "resident_views"

    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[str] = mapped_column(String(48))
    document: Mapped[str] = mapped_column(Text)
    rendered_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
