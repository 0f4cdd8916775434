"""Authorized representatives: invitations a resident hands to someone, and the designations that let another
resident act for them at some agencies (SNAP 7 CFR 273.2(n), Medicaid 42 CFR 435.923).

A designation is one row whatever its origin (an accepted invitation, or one an agency recorded itself and the
platform reported); its id is the ``{id}`` both sides use (``/v1/me/representatives/{id}`` for the person,
``/v1/me/represented/{id}`` for the representative). Each of its agencies is a row of its own, because the
platform records and ends a designation agency by agency: an agency can end its part while the others stand.
A designation is active while it has not ended and at least one of its agencies has not ended.

An invitation keeps only the SHA-256 of its code (the code is shown once, to the person who made it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services import clock
from services.db import Base, new_id

ORIGIN_INVITATION, ORIGIN_AGENCY = "invitation", "agency"
ORIGINS = (ORIGIN_INVITATION, ORIGIN_AGENCY)

# Who ended a designation (or one agency's part of it).
ENDED_BY_RESIDENT, ENDED_BY_REPRESENTATIVE, ENDED_BY_AGENCY, ENDED_BY_SUPPORT = (
    "resident",
    "representative",
    "agency",
    "support",
)
ENDERS = (ENDED_BY_RESIDENT, ENDED_BY_REPRESENTATIVE, ENDED_BY_AGENCY, ENDED_BY_SUPPORT)

# One agency's part with the platform: ``pending`` until the platform has recorded it (or has been told it
# ended), ``recorded`` while it stands there, ``ended`` once it no longer does.
PLATFORM_PENDING, PLATFORM_RECORDED, PLATFORM_ENDED = "pending", "recorded", "ended"
PLATFORM_STATUSES = (PLATFORM_PENDING, PLATFORM_RECORDED, PLATFORM_ENDED)


class RepresentativeInvitation(Base):
    """A code ``person_id`` made for someone to become their representative at ``agencies``: single use, expiring."""

    __tablename__ = "representative_invitations"
    __table_args__ = (Index("ix_representative_invitations_person", "person_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agencies: Mapped[list] = mapped_column(JSON)  # agency codes, in AGENCIES order
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    designation_id: Mapped[str | None] = mapped_column(String(32))  # the designation its acceptance made


class RepresentativeDesignation(Base):
    """``representative_id`` may act for ``person_id`` at the agencies of its ``agencies`` rows still standing."""

    __tablename__ = "representative_designations"
    __table_args__ = (
        Index("ix_representative_designations_person", "person_id", "created_at", "id"),
        Index("ix_representative_designations_representative", "representative_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    representative_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(16))  # an ORIGINS value
    invitation_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    ended_at: Mapped[dt.datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))  # an ENDERS value
    end_reason: Mapped[str | None] = mapped_column(String(300))

    agencies: Mapped[list[DesignationAgency]] = relationship(
        back_populates="designation", order_by="DesignationAgency.position", cascade="all, delete-orphan"
    )

    def active_agencies(self) -> list[str]:
        """The agencies where this designation still stands, in ``AGENCIES`` order (none once it has ended)."""
        if self.ended_at is not None:
            return []
        return [part.agency for part in self.agencies if part.status != PLATFORM_ENDED]


class DesignationAgency(Base):
    """One agency's part of a designation and where the platform stands on it. ``platform_designation_id`` is the
    platform's id for it once recorded (for an agency-recorded designation, the id the platform reported)."""

    __tablename__ = "designation_agencies"
    __table_args__ = (
        UniqueConstraint("designation_id", "agency"),
        UniqueConstraint("agency", "platform_designation_id"),
        Index("ix_designation_agencies_pending", "status", "agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    designation_id: Mapped[str] = mapped_column(ForeignKey("representative_designations.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(default=0)  # the agency's place in AGENCIES, for ordering
    status: Mapped[str] = mapped_column(String(16), default=PLATFORM_PENDING)  # a PLATFORM_STATUSES value
    platform_designation_id: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))
    end_reason: Mapped[str | None] = mapped_column(String(300))
    platform_ended_at: Mapped[dt.datetime | None]  # when the platform confirmed the end (ending is told to it)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    designation: Mapped[RepresentativeDesignation] = relationship(back_populates="agencies")
