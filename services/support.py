"""What support staff see of a resident: an exact-match lookup (never a listing), the overview (links,
consents, devices, sessions, sync state per agency), and the stored data of agencies a resident stopped
sharing, which staff reach only by breaking glass (the API decides who may; this module only reads).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from services import clock
from services.benefits.freshness import SourceState, describe_sources
from services.benefits.reads import actions_by_benefit, source_rows
from services.benefits.sync import FAILED, PENDING, SKIPPED, fetch_within_budget, record_refs, refresh_source_job
from services.db import commits
from services.errors import Conflict, InvalidInput, NotFound
from services.hub import Hub
from services.identity.consent import AgencyConsent, agency_consents
from services.identity.field_crypto import EmptyIdentifier, LookupHasher
from services.models.benefits import Benefit, BenefitAction
from services.models.identity import HubSession, Resident, ResidentLink
from services.models.notifications import Device, NotificationMessage
from services.visibility import Visibility, visibility_of
from services.vocabulary import AGENCIES

RECENT_SESSIONS = 20
NOT_QUEUED = "not_queued"  # a resync's agency still out whose background retry the broker could not take


@dataclasses.dataclass
class ResidentOverview:
    resident: Resident
    visibility: Visibility
    links: list[ResidentLink]
    consents: list[AgencyConsent]
    devices: list[Device]
    sessions: list[HubSession]
    sync: list[SourceState]


@dataclasses.dataclass
class WithheldBenefits:
    """The last stored copy of agencies the resident stopped sharing (no fetch: sharing stopped)."""

    agencies: list[str]
    benefits: list[Benefit]
    actions: dict[str, list[BenefitAction]]
    sync: list[SourceState]


def find_residents(
    session: Session,
    hasher: LookupHasher,
    *,
    email: str | None = None,
    phone: str | None = None,
    case_number: str | None = None,
) -> list[Resident]:
    """Residents matching exactly one identifier: email or phone by keyed hash, a case number as stored.

    The identifier must identify someone: a value that normalises to nothing is an ``InvalidInput`` naming
    its field, and every comparison goes through ``_exactly``, which cannot be built on NULL or "".
    """
    if email is not None:
        stmt = select(Resident).where(_exactly(Resident.email_hash, "email", lambda: hasher.email(email)))
    elif phone is not None:
        stmt = select(Resident).where(_exactly(Resident.phone_hash, "phone", lambda: hasher.phone(phone)))
    elif case_number is not None:
        owners = select(Benefit.resident_id).where(
            _exactly(Benefit.case_number, "case_number", lambda: case_number.strip())
        )
        stmt = select(Resident).where(Resident.id.in_(owners))
    else:
        raise InvalidInput(
            "Give exactly one of email, phone or case_number (exact match).",
            errors={name: ["Give exactly one identifier."] for name in ("email", "phone", "case_number")},
        )
    return list(session.scalars(stmt.order_by(Resident.id).limit(10)))


def _exactly(column, field: str, value: Callable[[], str]):
    """``column == value`` for a value that identifies something; never ``IS NULL``, never the empty string."""
    try:
        normalised = value()
    except EmptyIdentifier:
        normalised = ""
    if not isinstance(normalised, str) or not normalised:
        raise InvalidInput(f"The {field} given identifies no one.", errors={field: ["Not a usable identifier."]})
    return column == normalised


def resident_or_404(session: Session, resident_id: str) -> Resident:
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("There is no such resident.")
    return resident


def resident_overview(settings: Settings, session: Session, resident_id: str) -> ResidentOverview:
    resident = resident_or_404(session, resident_id)
    visibility = visibility_of(session, resident_id)
    sessions = session.scalars(
        select(HubSession)
        .where(HubSession.resident_id == resident_id)
        .order_by(HubSession.created_at.desc(), HubSession.id.desc())
        .limit(RECENT_SESSIONS)
    )
    devices = session.scalars(
        select(Device).where(Device.resident_id == resident_id).order_by(Device.registered_at.desc(), Device.id)
    )
    return ResidentOverview(
        resident=resident,
        visibility=visibility,
        links=sorted(visibility.links, key=lambda link: (link.agency, link.linked_at, link.id)),
        consents=agency_consents(session, visibility),
        devices=list(devices),
        sessions=list(sessions),
        sync=_sync_states(settings, session, visibility, [a for a in AGENCIES if a in visibility.linked]),
    )


def _sync_states(
    settings: Settings, session: Session, visibility: Visibility, agencies: list[str]
) -> list[SourceState]:
    """Per agency given: the freshness the resident would see, the last attempt and error, whether it is shared."""
    rows = source_rows(session, visibility.resident_id, agencies)
    return describe_sources(
        agencies,
        visibility.linked,
        rows,
        now=clock.now(),
        fresh_seconds=settings.fresh_seconds,
        withheld=visibility.withheld,
    )


def withheld_benefits(settings: Settings, session: Session, resident_id: str) -> WithheldBenefits:
    """The stored copy of the linked agencies the resident withholds, for a supervisor breaking glass."""
    visibility = visibility_of(session, resident_id)
    agencies = visibility.withheld_linked
    benefits = list(
        session.scalars(
            select(Benefit)
            .where(Benefit.resident_id == resident_id, Benefit.agency.in_(agencies or [""]))
            .order_by(Benefit.agency, Benefit.program_code, Benefit.id)
        )
    )
    actions = actions_by_benefit(session, [benefit.id for benefit in benefits])
    return WithheldBenefits(agencies, benefits, actions, _sync_states(settings, session, visibility, agencies))


@commits
def resync_resident(hub: Hub, session: Session, resident_id: str, *, arrived_at: float | None = None) -> dict[str, str]:
    """Fetch every shared, linked agency now within the read budget (counted from ``arrived_at``, a
    ``time.monotonic()`` instant); what is still out or not waited for finishes in the background (with
    retries). Returns the outcome per agency. Commits the request's session before waiting, so no transaction is
    held open while the agencies answer."""
    resident_or_404(session, resident_id)
    refs = record_refs(visibility_of(session, resident_id).shown_links())
    session.commit()  # end this transaction so the fetches' own writes are not waited on
    deadline = (time.monotonic() if arrived_at is None else arrived_at) + hub.settings.read_budget_seconds
    outcomes = fetch_within_budget(hub, resident_id, refs, deadline)
    for agency, outcome in outcomes.items():
        queued = outcome not in (PENDING, SKIPPED, FAILED) or hub.runner.submit(
            refresh_source_job, resident_id=resident_id, agency=agency
        )
        if not queued:
            outcomes[agency] = NOT_QUEUED  # still out, and the broker could not take its retry: resync later
    return outcomes


def notification_to_resend(session: Session, message_id: str) -> NotificationMessage:
    """The message support asked to send again; one from an agency the resident stopped sharing is not sent."""
    message = session.get(NotificationMessage, message_id)
    if message is None:
        raise NotFound("There is no such notification.")
    if not visibility_of(session, message.resident_id).shares(message.agency):
        raise Conflict(
            f"The resident stopped sharing {message.agency}, so its notifications are no longer sent.",
            errors={"notification_id": ["From an agency the resident no longer shares."]},
        )
    return message
