"""Which person's which agency record changes on which scenario day, computed in windows of days.

Generated residents are built in bulk once per window (in worker processes for large populations) and only
(resident, agency) pairs are kept, packed into one integer each, so a million residents fit in memory.
"""

from __future__ import annotations

import os
from array import array
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context

from simulator.people.generated import generated_resident
from simulator.people.model import AGENCIES, Person
from simulator.people.timeline import change_days

WINDOW_DAYS = 120
PARALLEL_FROM = 50_000
AGENCY_INDEX = {agency: i for i, agency in enumerate(AGENCIES)}


def person_changes(person: Person, start_date: date, lo: int, hi: int) -> dict[int, list[str]]:
    """day → agencies whose record for this person changes that day, for days in [lo, hi]."""
    out: dict[int, list[str]] = {}
    for record in person.records:
        days: set[int] = set()
        for case in record.cases:
            days |= change_days(case, start_date, lo, hi)
        for day in days:
            out.setdefault(day, []).append(record.agency)
    return out


def resident_changes(seed: int, start_date: date, lo: int, hi: int, first: int, last: int) -> dict[int, array]:
    """day → packed (n * 8 + agency index) for residents first..last; runs in a worker process for big N."""
    out: dict[int, array] = {}
    for n in range(first, last + 1):
        for day, agencies in person_changes(generated_resident(seed, n), start_date, lo, hi).items():
            bucket = out.get(day)
            if bucket is None:
                bucket = out[day] = array("Q")
            for agency in agencies:
                bucket.append(n * 8 + AGENCY_INDEX[agency])
    return out


def _resident_changes_job(args: tuple) -> dict[int, array]:
    return resident_changes(*args)


class ChangeCalendar:
    def __init__(self, seed: int, residents: int, start_date: date, personas: dict[str, Person]):
        self.seed, self.residents, self.start_date = seed, residents, start_date
        self._personas = personas
        self._windows: dict[int, tuple[dict[int, list], dict[int, array]]] = {}

    def changes_on(self, day: int) -> list[tuple[int | str, str]]:
        """(persona handle or resident index, agency) pairs whose record changes on `day`, personas first."""
        k = day // WINDOW_DAYS
        if k not in self._windows:
            self._windows[k] = self.build_window(k)
        personas, residents = self._windows[k]
        return personas.get(day, []) + [(value >> 3, AGENCIES[value & 7]) for value in residents.get(day, ())]

    def build_window(self, k: int) -> tuple[dict[int, list], dict[int, array]]:
        lo, hi = k * WINDOW_DAYS, (k + 1) * WINDOW_DAYS - 1
        personas: dict[int, list] = {}
        for handle, person in self._personas.items():
            for day, agencies in person_changes(person, self.start_date, lo, hi).items():
                personas.setdefault(day, []).extend((handle, agency) for agency in agencies)
        residents: dict[int, array] = {}
        for part in self._resident_parts(lo, hi):
            for day, packed in part.items():
                residents.setdefault(day, array("Q")).extend(packed)
        return personas, residents

    def _resident_parts(self, lo: int, hi: int):
        if self.residents < PARALLEL_FROM:
            yield resident_changes(self.seed, self.start_date, lo, hi, 1, self.residents)
            return
        workers = max(1, os.cpu_count() or 1)
        size = -(-self.residents // (workers * 4))
        jobs = [
            (self.seed, self.start_date, lo, hi, first, min(self.residents, first + size - 1))
            for first in range(1, self.residents + 1, size)
        ]
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            yield from pool.map(_resident_changes_job, jobs)
