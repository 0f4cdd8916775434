"""Authorized representatives as the agencies hold them: designations the hub recorded for a person's record at an
agency, and those an agency recorded itself (seeded from the personas' ``represents``: rosa for ana at AGING).

A designation the hub records is keyed by the hub's own designation id and agency, so recording again answers
the same designation (idempotent). Ending one is kept (``status`` ``ended``), never forgotten: the hub learns of
an agency's ending by listing a record's designations. The sandbox control ``POST /platform/sim/representatives/
end`` plays an agency ending one, and emits a change event for the person's record.
"""

from __future__ import annotations

import hashlib
import threading

from simulator.people.model import Person
from simulator.people.population import Population

ACTIVE, ENDED = "active", "ended"


class Representatives:
    def __init__(self, population: Population, occurred_at) -> None:
        self._lock = threading.Lock()
        self._occurred_at = occurred_at  # scenario day -> ISO instant
        self._by_id: dict[str, dict] = {}
        for representative in population.personas.values():
            for agency, handle in representative.represents:
                person = population.personas[handle]
                self._add(
                    f"AR-{agency}-{person.person_id}-{representative.person_id}",
                    agency,
                    person,
                    representative,
                    recorded_by="agency",
                    day=-60,
                )

    def _add(self, designation_id: str, agency: str, person: Person, representative: Person | None, **facts) -> dict:
        record = person.record(agency)
        designation = {
            "designation_id": designation_id,
            "agency": agency,
            "record_id": record.record_id,
            "person_id": person.person_id,
            "representative": {
                "person_id": representative.person_id if representative else None,
                "given_name": representative.given_name if representative else facts.pop("given_name"),
                "family_name": representative.family_name if representative else facts.pop("family_name"),
            },
            "recorded_by": facts["recorded_by"],
            "hub_designation_id": facts.get("hub_designation_id"),
            "status": ACTIVE,
            "recorded_at": self._occurred_at(facts["day"]),
            "ended_at": None,
            "ended_by": None,
        }
        self._by_id[designation_id] = designation
        return designation

    def record(
        self, agency: str, person: Person, hub_designation_id: str, given_name: str, family_name: str, day: int
    ) -> tuple[dict, bool]:
        """The hub records one (idempotent by its designation id and agency) → (the designation, new?)."""
        designation_id = "AR-" + hashlib.sha256(f"{hub_designation_id}:{agency}".encode()).hexdigest()[:12].upper()
        with self._lock:
            known = self._by_id.get(designation_id)
            if known is not None:
                return dict(known), False
            added = self._add(
                designation_id,
                agency,
                person,
                None,
                given_name=given_name,
                family_name=family_name,
                recorded_by="hub",
                hub_designation_id=hub_designation_id,
                day=day,
            )
            return dict(added), True

    def end(self, designation_id: str, ended_by: str, day: int) -> dict | None:
        """End one (ending an ended one answers it unchanged) → the designation, or None if unknown."""
        with self._lock:
            designation = self._by_id.get(designation_id)
            if designation is None:
                return None
            if designation["status"] == ACTIVE:
                designation.update(status=ENDED, ended_at=self._occurred_at(day), ended_by=ended_by)
            return dict(designation)

    def get(self, designation_id: str) -> dict | None:
        with self._lock:
            found = self._by_id.get(designation_id)
            return dict(found) if found else None

    def of_record(self, agency: str, record_id: str) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._by_id.values() if d["agency"] == agency and d["record_id"] == record_id]

    def of_representative(self, person_id: str) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._by_id.values() if d["representative"]["person_id"] == person_id]
