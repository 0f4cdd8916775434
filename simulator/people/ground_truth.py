"""Who, on a scenario day, is at risk or may qualify: the sandbox's own answer, from its people data alone.

This is the ground truth the hub's nudges are measured against (``bench/nudges_accuracy.py``). It reads what the
simulator knows about each person (every case at every agency, the household and its dates of birth, whether a
packet was returned or a document received, the day an interview was missed) and the programs' rules in
``program_rules.py``; it never asks the hub or reads the hub's rules, so a rule the hub gets wrong shows up as a
miss or a false alarm. The kinds are named as the hub names its nudges.

- ``renewal_at_risk``: a renewal packet mailed, not returned, due within ``RENEWAL_AT_RISK_DAYS``, coverage open;
- ``interview_not_booked``: an application still pending whose interview was missed and nothing booked since;
- ``document_due_soon``: a document requested, not received, due within ``DOCUMENT_DUE_SOON_DAYS``;
- ``may_qualify_wic``: a child under five in the household, SNAP active, no WIC case open or pending;
- ``senior_benefit_access``: 65 or older, Medicaid active, no Benefit Access case, none denied (a denial is the
  agency's finding that the person does not qualify);
- ``energy_assistance_season``: the LIHEAP season, SNAP active, no energy assistance applied for this season.
"""

from __future__ import annotations

from datetime import date, timedelta

from simulator.people.model import ACTIVE, DENIED, PENDING, SUSPENDED, Case, Person
from simulator.people.program_rules import (
    BENEFIT_ACCESS_AGE_YEARS,
    DOCUMENT_DUE_SOON_DAYS,
    LIHEAP_SEASON,
    RENEWAL_AT_RISK_DAYS,
    WIC_CHILD_AGE_LIMIT_YEARS,
)
from simulator.people.timeline import case_on

KINDS = (
    "renewal_at_risk",
    "interview_not_booked",
    "document_due_soon",
    "may_qualify_wic",
    "senior_benefit_access",
    "energy_assistance_season",
)
_OPEN = (ACTIVE, SUSPENDED)


def truth_for(person: Person, day: int, start_date: date) -> set[str]:
    """The kinds that truly apply to ``person`` on scenario ``day``."""
    today = start_date + timedelta(days=day)
    cases = [case for record in person.records for case in record.cases]
    status = {id(case): case_on(case, day, start_date).status for case in cases}
    kinds = set()
    if any(_renewal_at_risk(case, day) for case in cases if status[id(case)] in _OPEN):
        kinds.add("renewal_at_risk")
    if any(_interview_missed_and_not_rebooked(case, day) for case in cases if status[id(case)] == PENDING):
        kinds.add("interview_not_booked")
    if any(_document_due_soon(case, day) for case in cases if status[id(case)] in (*_OPEN, PENDING)):
        kinds.add("document_due_soon")

    def holds(program: str, *states: str) -> bool:
        return any(case.program == program and status[id(case)] in states for case in cases)

    snap = holds("SNAP", ACTIVE)
    if snap and _child_under(person, today, WIC_CHILD_AGE_LIMIT_YEARS) and not holds("WIC", ACTIVE, PENDING):
        kinds.add("may_qualify_wic")
    if (
        _age(person.birthdate, today) >= BENEFIT_ACCESS_AGE_YEARS
        and holds("MEDICAID", ACTIVE)
        and not holds("BAP", ACTIVE, PENDING, DENIED)
    ):
        kinds.add("senior_benefit_access")
    season_start = _season_start(today)
    if snap and season_start is not None:
        applied = any(
            case.program == "LIHEAP" and start_date + timedelta(days=case.applied_day) >= season_start
            for case in cases
            if case.applied_day <= day
        )
        if not applied:
            kinds.add("energy_assistance_season")
    return kinds


def _renewal_at_risk(case: Case, day: int) -> bool:
    renewal = case.renewal
    if renewal is None or renewal.packet_day is None or renewal.packet_day > day:
        return False
    returned = renewal.returned_day is not None and renewal.returned_day <= day
    return not returned and 0 <= renewal.due_day - day <= RENEWAL_AT_RISK_DAYS


def _interview_missed_and_not_rebooked(case: Case, day: int) -> bool:
    interviews = sorted(
        (a for a in case.appointments if a.kind == "interview" and a.set_day <= day), key=lambda a: a.day
    )
    return bool(interviews) and interviews[-1].day < day and not interviews[-1].attended


def _document_due_soon(case: Case, day: int) -> bool:
    return any(
        doc.requested_day <= day
        and (doc.received_day is None or doc.received_day > day)
        and 0 <= doc.due_day - day <= DOCUMENT_DUE_SOON_DAYS
        for doc in case.documents
    )


def _child_under(person: Person, today: date, years: int) -> bool:
    return any(m.relationship == "child" and _age(m.birthdate, today) < years for m in person.household_members())


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _season_start(today: date) -> date | None:
    """The first day of the LIHEAP season ``today`` falls in, or None outside it."""
    (start_month, start_day), (end_month, end_day) = LIHEAP_SEASON
    start = date(today.year, start_month, start_day)
    if today >= start:
        return start
    if (today.month, today.day) <= (end_month, end_day):
        return date(today.year - 1, start_month, start_day)
    return None
