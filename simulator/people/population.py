"""Everyone the platform knows: personas plus residents 1..N, found by handle, person id, record id, case or MPI match."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from hashlib import blake2b

from simulator.identifiers import decode
from simulator.people.generated import (
    AGING_SLOTS,
    DHS_SLOTS,
    generated_identity,
    generated_resident,
    has_record,
    resident_index,
)
from simulator.people.model import AgencyRecord, Case, Person
from simulator.people.personas import build_personas

ACCENT_FOLD = str.maketrans("áéíóúüñśàèìòùâêîôûç", "aeiouunsaeiouaeiouc")
RECORD_PREFIXES = {"DHS": "IES", "HFS": "hfs-", "AGING": "AG", "DCEO": "EA", "DEC": "DEC"}
CASE_SLOT_WIDTH = {"DHS": len(DHS_SLOTS), "AGING": len(AGING_SLOTS)}


def match_key(given: str, family: str, birthdate: str, ssn_last4: str) -> int:
    """A 64-bit key of the normalised identity attributes; a hit is always confirmed against the person."""
    text = "|".join(
        (
            given.strip().casefold().translate(ACCENT_FOLD),
            family.strip().casefold().translate(ACCENT_FOLD),
            birthdate.strip(),
            ssn_last4.strip(),
        )
    )
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "big")


def build_match_index(seed: int, residents: int, start: int = 1) -> dict[int, int]:
    """MPI key → resident index, for residents start..residents (only their identity is generated)."""
    index: dict[int, int] = {}
    for n in range(start, residents + 1):
        given, family, birthdate, ssn4 = generated_identity(seed, n)[:4]
        index[match_key(given, family, birthdate.isoformat(), ssn4)] = n
    return index


class Population:
    def __init__(self, seed: int, residents: int, start_date: date):
        self.seed, self.residents, self.start_date = seed, residents, start_date
        self.personas = build_personas(start_date)
        self._persona_by_id = {p.person_id: p for p in self.personas.values()}
        self._persona_records = {(r.agency, r.record_id): p for p in self.personas.values() for r in p.records}
        self._persona_cases = {
            (r.agency, c.case_number): p for p in self.personas.values() for r in p.records for c in r.cases
        }
        self._persona_matches = {
            match_key(p.given_name, p.family_name, p.birthdate.isoformat(), p.ssn_last4): p
            for p in self.personas.values()
            if p.records or p.represents
        }
        self._match_index = build_match_index(seed, residents)
        self.resident = lru_cache(maxsize=8192)(self._build_resident)

    def _build_resident(self, n: int) -> Person:
        return generated_resident(self.seed, n)

    def lacks_record(self, n: int, agency: str) -> bool:
        """Resident n is known to have no record at ``agency`` without building them (``has_record``)."""
        return has_record(self.seed, n, agency) is False

    def by_handle(self, handle: str) -> Person | None:
        if handle in self.personas:
            return self.personas[handle]
        n = resident_index(handle, self.residents)
        return self.resident(n) if n else None

    def by_ref(self, ref: int | str) -> Person:
        """A calendar reference: a resident index or a persona handle."""
        return self.resident(ref) if isinstance(ref, int) else self.personas[ref]

    def by_person_id(self, person_id: str) -> Person | None:
        if person_id in self._persona_by_id:
            return self._persona_by_id[person_id]
        if person_id.startswith("PER"):
            return self._generated(decode("person", person_id[3:]))
        return None

    def by_record(self, agency: str, record_id: str) -> tuple[Person, AgencyRecord] | None:
        person = self._persona_records.get((agency, record_id))
        if person is None:
            prefix = RECORD_PREFIXES[agency]
            if record_id.startswith(prefix):
                person = self._generated(decode(agency, record_id[len(prefix) :]))
        record = person.record(agency) if person else None
        return (person, record) if record is not None and record.record_id == record_id else None

    def by_case(self, agency: str, case_number: str) -> tuple[Person, AgencyRecord, Case] | None:
        person = self._persona_cases.get((agency, case_number))
        if person is None:
            value = decode("case:" + agency, case_number)
            if value is not None:
                person = self._generated(value // CASE_SLOT_WIDTH.get(agency, 1))
        record = person.record(agency) if person else None
        for case in record.cases if record else ():
            if case.case_number == case_number:
                return person, record, case
        return None

    def match(self, given_name: str, family_name: str, birthdate: str, ssn_last4: str) -> Person | None:
        key = match_key(given_name, family_name, birthdate, ssn_last4)
        person = self._persona_matches.get(key)
        if person is None and key in self._match_index:
            person = self.resident(self._match_index[key])
        if person is None or not (person.records or person.represents):
            return None
        same = match_key(person.given_name, person.family_name, person.birthdate.isoformat(), person.ssn_last4) == key
        return person if same else None

    def refs(self):
        """Every person in platform order: personas first, then residents 1..N."""
        yield from self.personas
        yield from range(1, self.residents + 1)

    def _generated(self, n: int | None) -> Person | None:
        return self.resident(n) if n is not None and 1 <= n <= self.residents else None
