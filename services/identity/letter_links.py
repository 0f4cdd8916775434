"""Linking a record by case number and letter code, only for the person the case belongs to.

A letter code proves that the resident holds the case's mail, not that the case is theirs (a household member,
a landlord or an ex-partner may hold it). So a link must also prove the case's person is the resident:

1. **identity**: the person index matches the resident's own verified identity (name, date of birth, SSN last
   four from the identity provider) to the very person the case belongs to (the person ids are compared); or
   the resident is already linked, with proof, to another record of that person;
2. **birthdate**: the resident gives the date of birth on the case, and it must be their *own* verified date of
   birth; the hub passes it to the platform, which answers only whether it is the case person's (the hub never
   receives anyone's date of birth). A date of birth that is not the resident's own is refused without asking
   the platform, so this path cannot be used to learn someone else's birthday, and someone who knows the
   victim's birthday (the realistic attacker holding their mail) still cannot link it.

A record already linked to another hub account is refused (409) and never linked to a second one this way;
that answer is given only after the proof succeeded, so it tells nothing to someone who is not the case's
person. Every attempt is audited (actor kind ``resident``); refused ones also count towards throttling and a
lockout, per resident and per case (``link_throttle``). A new link tells every other account the case's person
holds (``link_notices``).

Every answer is committed, with its audit event and its failure count, before it is returned or raised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import NoReturn, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.audit import Actor, record_access
from services.db import commits
from services.errors import DomainError, NotFound, SourceUnavailable
from services.hub import Hub
from services.identity.link_notices import AuditPlace, tell_other_holders
from services.identity.link_throttle import LinkAttemptsRefused, check_link_allowed, record_link_failure
from services.identity.linking import ensure_link, resident_link, verified_attributes
from services.identity.person_index import CaseMatch, PersonIndex, PersonIndexUnavailable
from services.identity.refusals import (
    CaseLinkedElsewhere,
    IdentityVerificationRequired,
    LinkNotProven,
    LinkProofRequired,
)
from services.models.identity import LinkMethod, LinkProof, Resident, ResidentLink

ACTION = "link.create"
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class LetterLinkRequest:
    agency: str
    case_number: str
    letter_code: str
    birthdate: str | None = None  # ISO date: the case person's, which must be the resident's own


@dataclasses.dataclass
class _Attempt:
    session: Session
    resident: Resident
    request: LetterLinkRequest
    place: AuditPlace
    case_key: str

    def audit(self, outcome: str, detail: str) -> None:
        record_access(
            self.session,
            Actor("resident", self.resident.id),
            ACTION,
            outcome=outcome,
            resident_id=self.resident.id,
            route=self.place.route,
            fields=[f"agency:{self.request.agency}", detail],
            request_id=self.place.request_id,
        )

    @commits
    def refuse(self, error: DomainError, kind: str, *, counted: bool = True, outcome: str = "denied") -> NoReturn:
        if counted:
            record_link_failure(self.session, resident_id=self.resident.id, case_key=self.case_key, kind=kind)
        self.audit(outcome, f"refused:{kind}")
        self.session.commit()
        raise error

    def ask(self, question: Callable[[], T]) -> T:
        try:
            return question()
        except PersonIndexUnavailable:
            self.refuse(
                SourceUnavailable("The agency records index did not answer; try again in a few minutes."),
                "index_unavailable",
                counted=False,
                outcome="error",
            )


@commits
def link_by_letter(
    hub: Hub, session: Session, resident: Resident, request: LetterLinkRequest, place: AuditPlace = AuditPlace()
) -> tuple[ResidentLink, bool]:
    """Link the record behind ``request.case_number`` if the letter code is right and the case is proven to
    be the resident's; ``True`` when the link is new (linking again is harmless). Commits."""
    hasher, cipher = hub.lookup_hasher, hub.field_cipher
    index = hub.person_index
    attempt = _Attempt(session, resident, request, place, hasher.case(request.agency, request.case_number))
    if not resident.identity_verified:
        attempt.refuse(
            IdentityVerificationRequired(
                "Verify your identity with the state's sign-in service before linking agency records."
            ),
            "not_verified",
            counted=False,
        )
    try:
        check_link_allowed(session, resident_id=resident.id, case_key=attempt.case_key)
    except LinkAttemptsRefused as error:
        attempt.refuse(error, "locked" if error.locked else "throttled", counted=False)
    own = verified_attributes(resident, cipher)
    if request.birthdate is not None and request.birthdate != own["birthdate"]:
        attempt.refuse(LinkNotProven(_NOT_PROVEN), "not_proven")
    case = attempt.ask(
        lambda: index.link(
            agency=request.agency,
            case_number=request.case_number,
            letter_code=request.letter_code,
            birthdate=request.birthdate,
        )
    )
    if case is None:
        attempt.refuse(NotFound(f"No {request.agency} case matches that case number and letter code."), "wrong_code")
    existing = resident_link(session, resident.id, case.record.agency, case.record.record_id)
    if existing is not None:
        attempt.audit("allowed", "already_linked")
        session.commit()
        return existing, False
    proof = _proof(session, attempt, own, case, index)
    if proof is None and request.birthdate is None:
        attempt.refuse(LinkProofRequired(_PROOF_REQUIRED), "proof_required")
    if proof is None:
        attempt.refuse(LinkNotProven(_NOT_PROVEN), "not_proven")
    if _linked_to_another_account(session, resident.id, case):
        attempt.refuse(CaseLinkedElsewhere(_LINKED_ELSEWHERE), "linked_elsewhere")
    link, created = ensure_link(
        session,
        resident.id,
        agency=case.record.agency,
        record_id=case.record.record_id,
        person_id=case.person_id,
        method=LinkMethod.LETTER_CODE,
        proof=proof,
    )
    tell_other_holders(session, link, place)
    attempt.audit("allowed", f"proof:{proof}")
    session.commit()
    return link, created


def _proof(session: Session, attempt: _Attempt, own: dict, case: CaseMatch, index: PersonIndex) -> str | None:
    """What shows the case's person is the resident, or ``None``."""
    known = session.scalar(
        select(ResidentLink.proof)
        .where(ResidentLink.resident_id == attempt.resident.id, ResidentLink.platform_person_id == case.person_id)
        .limit(1)
    )
    if known is not None:
        return known
    if all(own.values()):
        match = attempt.ask(lambda: index.match(**own))
        if match is not None and match.person_id == case.person_id:
            return LinkProof.IDENTITY
    return LinkProof.BIRTHDATE if case.birthdate_matches else None


def _linked_to_another_account(session: Session, resident_id: str, case: CaseMatch) -> bool:
    stmt = select(ResidentLink.id).where(
        ResidentLink.agency == case.record.agency,
        ResidentLink.record_id == case.record.record_id,
        ResidentLink.resident_id != resident_id,
    )
    return session.scalar(stmt.limit(1)) is not None


_PROOF_REQUIRED = (
    "The records behind this case do not match your verified identity, so the letter's code alone cannot link it. "
    "If the case is yours, send your date of birth as `birthdate` and the agency will check it against the case."
)
_NOT_PROVEN = (
    "A case can be linked only by the person it belongs to: the date of birth must be your own, as verified at "
    "sign-in, and the one the agency has for this case."
)
_LINKED_ELSEWHERE = (
    "This case is already linked to another account in the app, so it cannot be linked here too. If it is yours, "
    "use that account, or contact support."
)
