"""Identity: residents, their links to agency records, consent per agency, hub sessions and refresh tokens.

Sensitive attributes (date of birth, SSN last four) are stored only as Fernet ciphertext
(``services.identity.field_crypto``); email and phone are kept as keyed HMAC hashes so support can find a
resident by exact match without the hub holding a searchable copy of either.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services import clock
from services.db import Base, new_id
from services.vocabulary import STATE_TIME_ZONE


class LinkMethod(StrEnum):
    """How the hub came to know a resident's record (``resident_links.method``)."""

    MPI = "mpi"  # the person index matched the resident's verified identity at sign-in
    LETTER_CODE = "letter_code"  # the resident sent a case number and the code on its letters


class LinkProof(StrEnum):
    """What showed that the record's person is the resident (``services/identity/letter_links.py``)."""

    IDENTITY = "identity"  # the person index matched the resident's verified identity to that person
    BIRTHDATE = "birthdate"  # the platform confirmed the case person's date of birth is the resident's own


class Resident(Base):
    """A person who signed in at the resident identity provider, keyed by (issuer, ``sub``)."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default=STATE_TIME_ZONE)
    identity_verified: Mapped[bool] = mapped_column(default=False)
    birthdate_encrypted: Mapped[str | None] = mapped_column(String(255))
    ssn_last4_encrypted: Mapped[str | None] = mapped_column(String(255))
    email_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The person index search on verified sign-in: when it last answered, and what went wrong if it did not
    # (``unreachable``/``rejected``); a failed search is retried on the next sign-in or by identity.link_records.
    records_searched_at: Mapped[dt.datetime | None]
    records_search_error: Mapped[str | None] = mapped_column(String(32))
    # The platform's master person id, as the person index answered at the last search: how an agency's
    # record of this resident as someone's authorized representative is matched (services/representation).
    platform_person_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class ResidentLink(Base):
    """One agency record that belongs to a resident, and how the hub came to know it."""

    __tablename__ = "resident_links"
    __table_args__ = (
        UniqueConstraint("resident_id", "agency", "record_id"),
        Index("ix_resident_links_agency_record", "agency", "record_id"),
        Index("ix_resident_links_agency_resident", "agency", "resident_id"),  # bulk reconciliation walks this
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    platform_person_id: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(16))  # a LinkMethod
    proof: Mapped[str] = mapped_column(String(16))  # a LinkProof
    linked_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class LinkFailure(Base):
    """A refused attempt to link a record by letter code, counted per resident and per case (``case_key``, a
    keyed hash of agency and case number: no case number is stored) to throttle and then lock out guessing.
    Rows live in the database so the count holds across every process; rows older than the lockout window
    are pruned (``identity.prune_link_failures``)."""

    __tablename__ = "link_failures"
    __table_args__ = (
        Index("ix_link_failures_resident", "resident_id", "failed_at"),
        Index("ix_link_failures_case", "case_key", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    case_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))  # wrong_code | proof_required | not_proven | linked_elsewhere
    failed_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class Consent(Base):
    """A resident's choice about one agency's data in the app.

    No row means *granted*: sharing across agencies runs under the state's data-sharing agreement, so the
    default is to show every linked agency. A row with ``granted = False`` hides that agency's data from every
    read and stops its notifications; the resident can grant again at any time (the row is updated, not removed).
    """

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("resident_id", "agency"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[str] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    agency: Mapped[str] = mapped_column(String(8))
    granted: Mapped[bool]
    updated_at: Mapped[dt.datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class HubSession(Base):
    """One signed-in device of a resident, or one staff sign-in at the support console.

    Every access token carries its session id and every request looks the session up by primary key, so
    revoking a session (``revoked_at``) stops its access tokens at once. ``last_seen_at`` moves on sign-in and
    on each refresh (at least every access-token lifetime while the app is in use), never on plain reads.
    Staff sessions keep the workforce provider's subject, display name and roles as they were at sign-in.
    """

    __tablename__ = "hub_sessions"
    __table_args__ = (Index("ix_hub_sessions_resident", "resident_id", "created_at", "id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # resident | staff
    resident_id: Mapped[str | None] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    staff_subject: Mapped[str | None] = mapped_column(String(255), index=True)
    staff_name: Mapped[str | None] = mapped_column(String(200))
    staff_roles: Mapped[list] = mapped_column(JSON, default=list)
    client_id: Mapped[str] = mapped_column(String(64))
    device_label: Mapped[str | None] = mapped_column(String(100))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    revoked_at: Mapped[dt.datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))


class UsedIdToken(Base):
    """An identity provider's ID token that has signed someone in, kept until it expires so it works once.

    ``token_key`` is a SHA-256 of the issuer and ``jti`` (or of the whole token when it has no ``jti``); the
    primary key makes two concurrent uses race on one insert, which exactly one wins.
    """

    __tablename__ = "used_id_tokens"

    token_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    used_at: Mapped[dt.datetime] = mapped_column(default=clock.now)


class RefreshToken(Base):
    """A refresh token, stored only as its SHA-256. Its family is its session: reuse revokes the session."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("hub_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
