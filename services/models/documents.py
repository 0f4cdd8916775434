"""Paperwork: what residents sent for agencies' document requests (the bytes encrypted), and agencies' planned
outages (``maintenance_windows``).

``document_uploads`` holds one row per file a resident sent (metadata, receipt, the agency's tracking number and
decision, forwarding bookkeeping); never the file. The file is in the document store (``services/documents/
storage.py``) under ``storage_key``, encrypted; ``document_blobs`` is that store's table when it is the database
(production), unused when it is the filesystem (the embedded default).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id

SUBMITTED, RECEIVED, ACCEPTED, REJECTED = "submitted", "received", "accepted", "rejected"
DOCUMENT_STATUSES = (SUBMITTED, RECEIVED, ACCEPTED, REJECTED)
LIVE_STATUSES = (SUBMITTED, RECEIVED, ACCEPTED)  # an upload in one of these stops the action's reminders


class DocumentUpload(Base):
    """One file sent for one document action. ``action_id`` is the hub's action id as the resident saw it; the
    agency's own key (``action_source_key``) and record are kept too, so forwarding survives a resync."""

    __tablename__ = "document_uploads"
    __table_args__ = (
        Index("ix_document_uploads_resident", "resident_id", "submitted_at", "id"),
        Index("ix_document_uploads_action", "action_id"),
        Index("ix_document_uploads_forward", "forwarded_at", "forward_after"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    action_id: Mapped[str] = mapped_column(String(32))
    benefit_id: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(8))
    program_code: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(96))
    action_source_key: Mapped[str] = mapped_column(String(96))
    action_title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=SUBMITTED)
    status_reason: Mapped[str | None] = mapped_column(String(48))
    receipt_number: Mapped[str] = mapped_column(String(24), unique=True)
    tracking_number: Mapped[str | None] = mapped_column(String(48))
    submitted_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    received_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    forwarded_at: Mapped[dt.datetime | None]  # the intake acknowledged it (with a tracking number)
    forward_attempts: Mapped[int] = mapped_column(default=0)
    forward_after: Mapped[dt.datetime | None]  # the next attempt is not before this (backoff after a failure)
    forward_error: Mapped[str | None] = mapped_column(String(120))
    checked_at: Mapped[dt.datetime | None]  # when the hub last asked the intake for a decision
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    uploaded_by: Mapped[str | None] = mapped_column(String(32))  # the representative who sent it for the resident


class DocumentBlob(Base):
    """The database document store's rows: an encrypted file (``bytea`` on PostgreSQL) by its storage key."""

    __tablename__ = "document_blobs"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class MaintenanceWindow(Base):
    """A planned outage an agency announced through the platform (``services/platform/maintenance.py``): the
    table is replaced with the platform's list at each refresh, so every web and worker process sees it."""

    __tablename__ = "maintenance_windows"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)  # the platform's id of the announcement
    agency: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    message: Mapped[str] = mapped_column(String(300))
    fetched_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class InterviewAppointment(Base):
    """The interview time a resident booked for an interview action, as the agency confirmed it through the
    platform (``services/interviews.py``): one per action, moved in place when they book another time."""

    __tablename__ = "interview_appointments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    action_id: Mapped[str] = mapped_column(String(32), unique=True)
    benefit_id: Mapped[str] = mapped_column(String(32))
    agency: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    slot_id: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    mode: Mapped[str] = mapped_column(String(8))  # phone | office | video
    location_or_phone: Mapped[str] = mapped_column(String(200))
    confirmation_number: Mapped[str] = mapped_column(String(48))
    booked_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
