"""What a resident and their agency cases are, agency-neutral; each feed renders these in its own shape.

Every dated fact carries the scenario day it becomes true, so the picture on any day is a pure function of
the case and the day (see `timeline.py`) and the scenario never mutates a record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Agency-neutral case states; each feed maps them to its own codes.
PENDING, ACTIVE, DENIED, CLOSED, SUSPENDED = "pending", "active", "denied", "closed", "suspended"
AGENCIES = ("DHS", "HFS", "AGING", "DCEO", "DEC")


@dataclass(frozen=True, slots=True)
class StatusStep:
    day: int
    status: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DocumentRequest:
    request_id: str
    kind: str
    description: str
    requested_day: int
    due_day: int
    received_day: int | None = None


@dataclass(frozen=True, slots=True)
class Appointment:
    appointment_id: str
    kind: str  # interview | reassessment
    set_day: int  # the day it was scheduled (and the resident told)
    day: int
    time: str  # "10:00", local
    mode: str  # phone | in_person | home_visit
    attended: bool = True


@dataclass(frozen=True, slots=True)
class Notice:
    notice_id: str
    day: int
    code: str
    title: str


@dataclass(frozen=True, slots=True)
class Payment:
    day: int
    cents: int
    kind: str  # initial | regular | award


@dataclass(frozen=True, slots=True)
class Renewal:
    due_day: int
    packet_day: int | None
    returned_day: int | None = None


@dataclass(frozen=True, slots=True)
class Case:
    agency: str
    program: str  # SNAP TANF CASH WIC | MEDICAID | CCP BAP | LIHEAP | CCAP
    case_number: str
    applied_day: int
    history: tuple[StatusStep, ...]
    cert_start_day: int | None = None
    cert_end_day: int | None = None
    amount_cents: int | None = None
    issuance_day_of_month: int | None = None  # recurring monthly payments while active
    payments: tuple[Payment, ...] = ()  # one-off payments (initial prorated, awards)
    documents: tuple[DocumentRequest, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    notices: tuple[Notice, ...] = ()
    renewal: Renewal | None = None
    plan: str = ""  # Medicaid plan, CCAP provider, LIHEAP vendor …: the agency's own sub-label


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    agency: str
    record_id: str  # the agency's own id for this person, as the MPI returns it
    cases: tuple[Case, ...]


@dataclass(frozen=True, slots=True)
class HouseholdMember:
    """Someone in the person's household as the eligibility system records them (the person themself included)."""

    relationship: str  # self | spouse | child | other
    birthdate: date


@dataclass(frozen=True, slots=True)
class Person:
    person_id: str  # the platform's master person id
    handle: str  # persona name or resident-<n>; how the sandbox IdP knows them
    given_name: str
    family_name: str
    birthdate: date
    ssn_last4: str
    email: str
    phone: str
    locale: str
    verified: bool
    household_size: int
    city: str
    zip_code: str
    records: tuple[AgencyRecord, ...] = ()
    # The family name the identity provider proofed, when the agencies know the person by another (a married
    # name the agency never heard of): the person index then cannot match the provider's verified claims.
    idp_family_name: str | None = None
    # Designations an agency recorded itself with this person as the authorized representative: (agency, the
    # represented persona's handle). The index knows such a person even without records of their own.
    represents: tuple[tuple[str, str], ...] = ()
    # The household DHS recorded (members and their dates of birth); empty means the person alone.
    household: tuple[HouseholdMember, ...] = ()

    def household_members(self) -> tuple[HouseholdMember, ...]:
        return self.household or (HouseholdMember("self", self.birthdate),)

    def record(self, agency: str) -> AgencyRecord | None:
        for record in self.records:
            if record.agency == agency:
                return record
        return None
