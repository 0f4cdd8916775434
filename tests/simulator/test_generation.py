"""Generated residents: deterministic, realistic, and the change calendar agrees with what the feeds show."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date

from simulator.feeds.documents import render_record_document
from simulator.identifiers import decode, encode, luhn_valid
from simulator.people.generated import generated_resident, has_record
from simulator.people.personas import build_personas
from simulator.people.population import RECORD_PREFIXES, Population
from simulator.people.program_rules import ISSUANCE_DAY_BY_LAST_DIGIT
from simulator.people.timeline import case_on, change_days
from simulator.scenario.calendar import ChangeCalendar

from .conftest import START


def test_the_same_seed_gives_the_same_people_and_another_seed_other_people():
    assert generated_resident(42, 123) == generated_resident(42, 123)
    assert (
        generated_resident(42, 123).given_name + generated_resident(42, 124).family_name
        != generated_resident(7, 123).given_name + generated_resident(7, 124).family_name
    )


def test_whether_a_resident_has_a_record_is_known_without_building_them_exactly_as_building_tells():
    """The bulk export skips residents ``has_record`` rules out at DHS and AGING; for the other agencies it
    cannot tell (None) and the export builds them."""
    for n in range(1, 2001):
        person = generated_resident(42, n)
        for agency in ("DHS", "AGING"):
            assert has_record(42, n, agency) is (person.record(agency) is not None), (n, agency)
        assert has_record(42, n, "HFS") is None
    assert 0 < sum(has_record(42, n, "DHS") for n in range(1, 2001)) < 2000


def test_a_population_has_a_realistic_mix_of_programs_and_states():
    people = [generated_resident(42, n) for n in range(1, 3001)]
    programs = Counter(case.program for p in people for r in p.records for case in r.cases)
    assert set(programs) == {"SNAP", "TANF", "CASH", "WIC", "MEDICAID", "CCP", "BAP", "LIHEAP", "CCAP"}
    statuses = Counter(case_on(c, 0, START).status for p in people for r in p.records for c in r.cases)
    assert {"pending", "active", "denied", "closed"} <= set(statuses) and statuses["active"] > statuses["denied"]
    assert any(d for p in people for r in p.records for c in r.cases for d in c.documents)
    interviews = [
        a for p in people for r in p.records for c in r.cases for a in c.appointments if a.kind == "interview"
    ]
    assert any(not a.attended for a in interviews) and any(a.attended for a in interviews)
    assert 0 < sum(not p.verified for p in people) < len(people) // 4
    assert sum(not p.records for p in people) > 0


def test_a_missed_interview_leads_to_denial_and_snap_pays_on_the_day_its_case_number_says():
    cases = [c for n in range(1, 3001) for r in generated_resident(42, n).records for c in r.cases]
    missed = [c for c in cases if any(not a.attended for a in c.appointments if a.kind == "interview")]
    assert missed and all(
        c.history[-1].status == "denied" and c.history[-1].reason == "Missed interview" for c in missed
    )
    for case in (c for c in cases if c.program == "SNAP"):
        for payment in case_on(case, 60, START).payments:
            if payment.kind == "regular":
                assert (
                    date.fromordinal(START.toordinal() + payment.day).day
                    == ISSUANCE_DAY_BY_LAST_DIGIT[int(case.case_number[-1])]
                )


def test_change_days_are_exactly_the_days_the_picture_changes():
    personas = build_personas(START)
    cases = [c for p in personas.values() for r in p.records for c in r.cases]
    cases += [c for n in range(1, 400) for r in generated_resident(42, n).records for c in r.cases]

    def picture(case, day):
        return replace(case_on(case, day, START), last_changed_day=0)

    for case in cases:
        expected = change_days(case, START, 1, 90)
        observed = {d for d in range(1, 91) if picture(case, d) != picture(case, d - 1)}
        assert observed == expected, case.case_number


def test_the_calendar_names_exactly_the_records_whose_feed_document_changes():
    population = Population(42, 150, START)
    calendar = ChangeCalendar(42, 150, START, population.personas)
    for day in range(1, 15):
        listed = set(calendar.changes_on(day))
        for ref in population.refs():
            person = population.by_ref(ref)
            for record in person.records:
                before, after = (
                    without_daily_stamps(render_record_document(person, record, d, START, "http://x"))
                    for d in (day - 1, day)
                )
                assert (before != after) == ((ref, record.agency) in listed), (ref, record.agency, day)


def without_daily_stamps(document):
    """Every feed stamps the day it answers; apart from that stamp a document changes only on calendar days."""
    if isinstance(document, str):
        return re.sub(r' asOf="[^"]*"', "", document)
    return {k: v for k, v in document.items() if k not in ("asOfDate", "as_of", "id", "meta", "timestamp")}


def test_identifiers_round_trip_and_persona_numbers_can_never_collide():
    for kind in ("person", "DHS", "case:DHS", "case:AGING", "DEC"):
        for value in (0, 1, 999_999, 3_999_999, 99_999_999):
            number = encode(kind, value)
            assert len(number) == 9 and luhn_valid(number) and decode(kind, number) == value
    for person in build_personas(START).values():
        numbers = [person.person_id[3:]] + [r.record_id[len(RECORD_PREFIXES[r.agency]) :] for r in person.records]
        numbers += [c.case_number for r in person.records for c in r.cases]
        assert all(not luhn_valid(n) for n in numbers), person.handle


def test_population_finds_generated_people_by_every_identifier():
    population = Population(42, 300, START)
    person = next(population.resident(n) for n in range(1, 300) if len(population.resident(n).records) >= 2)
    assert population.by_person_id(person.person_id) is person
    assert population.by_handle(person.handle) is person
    for record in person.records:
        assert population.by_record(record.agency, record.record_id) == (person, record)
        for case in record.cases:
            assert population.by_case(record.agency, case.case_number)[2] is case
    assert population.by_handle("resident-301") is None and population.by_handle("resident-007") is None
    assert population.by_person_id("PER" + encode("person", 301)) is None
