"""Inviting someone to act for you, and accepting: the two halves of an invitation-made designation.

Decisions:

- The person invites for agencies where they have records (the agency records the designation on their case);
  an agency not known, or one without their records, is refused, naming ``agencies``. ``expires_in_days`` is
  1 to 30, 7 by default. The code is shown once, in the answer; only its hash is kept (``codes.py``).
- Only a verified resident can accept (403, and nothing is looked up). A code that is unknown, or that
  someone else already used, gets one and the same 404, so an attacker cannot tell them apart; an expired code
  says so (410: only its holder could know it existed, and they need to ask for a new one). Accepting your own
  invitation is a 422. Accepting a code you already accepted answers your designation again (200), so a
  retried request is harmless. A representative who already acts for the person at one of the agencies is
  refused (409): one standing designation per pair and agency.
- Two accepts of one code race on one conditional update of the invitation: exactly one wins, the other gets
  the 404 of a used code. The designation's agencies start ``pending``; recording them with the agencies
  happens after the commit (``platform_sync.record_with_agencies``), so the platform being down never
  loses an acceptance: what it could not take is retried by ``representation.reconcile``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services import clock
from services.db import new_id
from services.errors import Conflict, DomainError, InvalidInput, NotFound
from services.identity.refusals import IdentityVerificationRequired
from services.models.identity import Resident
from services.models.representation import (
    ORIGIN_INVITATION,
    DesignationAgency,
    RepresentativeDesignation,
    RepresentativeInvitation,
)
from services.representation import codes
from services.representation.designations import standing_agencies_between
from services.visibility import visibility_of
from services.vocabulary import AGENCIES

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 30, 7
NOT_FOUND = "No invitation with this code, or it was already used. Check the code, or ask for a new one."


class InvitationExpired(DomainError):
    status = 410
    title = "Invitation expired"
    slug = "invitation-expired"


@dataclasses.dataclass(frozen=True)
class NewInvitation:
    invitation: RepresentativeInvitation
    code: str  # shown once; never stored


def create_invitation(session: Session, person_id: str, agencies: list[str], expires_in_days: int) -> NewInvitation:
    """An invitation for someone to act for ``person_id`` at ``agencies`` (validated here, in ``AGENCIES`` order)."""
    wanted = {agency.upper() for agency in agencies}
    unknown = sorted(wanted - set(AGENCIES))
    if not wanted or unknown:
        detail = "Name at least one agency." if not wanted else f"Unknown agencies: {', '.join(unknown)}."
        raise InvalidInput(detail, errors={"agencies": [f"{detail} Known agencies: {', '.join(AGENCIES)}."]})
    without_records = sorted(wanted - visibility_of(session, person_id).linked, key=AGENCIES.index)
    if without_records:
        detail = f"You have no records at {', '.join(without_records)} to name a representative for."
        raise InvalidInput(detail, errors={"agencies": [detail]})
    if not MIN_DAYS <= expires_in_days <= MAX_DAYS:
        detail = f"An invitation lasts {MIN_DAYS} to {MAX_DAYS} days."
        raise InvalidInput(detail, errors={"expires_in_days": [detail]})
    code = codes.new_code()
    invitation = RepresentativeInvitation(
        person_id=person_id,
        code_hash=codes.code_hash(codes.normalised(code)),
        agencies=[agency for agency in AGENCIES if agency in wanted],
        expires_at=clock.now() + dt.timedelta(days=expires_in_days),
    )
    session.add(invitation)
    session.flush()
    return NewInvitation(invitation, code)


def accept_invitation(
    session: Session, representative: Resident, typed_code: str
) -> tuple[RepresentativeDesignation, bool]:
    """The designation ``typed_code`` makes for ``representative`` → (it, new?); every refusal changes nothing."""
    if not representative.identity_verified:
        raise IdentityVerificationRequired(
            "Verify your identity with the state's sign-in service before acting for someone.",
            errors={"code": ["Only a resident with a verified identity can accept an invitation."]},
        )
    letters = codes.normalised(typed_code)
    if letters is None:
        raise InvalidInput(
            "That is not an invitation code.", errors={"code": ["Codes are 16 letters, like HKPD-WRTC-MNZA-FQEX."]}
        )
    invitation = session.scalar(
        select(RepresentativeInvitation).where(RepresentativeInvitation.code_hash == codes.code_hash(letters))
    )
    if invitation is None:
        raise NotFound(NOT_FOUND, errors={"code": [NOT_FOUND]})
    if invitation.used_at is not None:
        used = session.get(RepresentativeDesignation, invitation.designation_id or "")
        if used is not None and used.representative_id == representative.id:
            return used, False
        raise NotFound(NOT_FOUND, errors={"code": [NOT_FOUND]})
    if invitation.person_id == representative.id:
        detail = "This is your own invitation: give it to the person who will act for you."
        raise InvalidInput(detail, errors={"code": [detail]})
    if invitation.expires_at <= clock.now():
        detail = "This invitation has expired. Ask the person for a new one."
        raise InvitationExpired(detail, errors={"code": [detail]})
    already = standing_agencies_between(session, invitation.person_id, representative.id) & set(invitation.agencies)
    if already:
        detail = f"You already act for this person at {', '.join(sorted(already, key=AGENCIES.index))}."
        raise Conflict(detail, errors={"code": [detail]})
    designation_id = new_id()
    claimed = session.execute(
        update(RepresentativeInvitation)
        .where(RepresentativeInvitation.id == invitation.id, RepresentativeInvitation.used_at.is_(None))
        .values(used_at=clock.now(), designation_id=designation_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:  # another accept of the same code committed first
        raise NotFound(NOT_FOUND, errors={"code": [NOT_FOUND]})
    designation = RepresentativeDesignation(
        id=designation_id,
        person_id=invitation.person_id,
        representative_id=representative.id,
        origin=ORIGIN_INVITATION,
        invitation_id=invitation.id,
        agencies=[DesignationAgency(agency=agency, position=AGENCIES.index(agency)) for agency in invitation.agencies],
    )
    session.add(designation)
    session.flush()
    return designation, True
