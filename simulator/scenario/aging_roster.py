"""The Department on Aging's unfiltered export: every client's rows in platform order, paged by rows.

Membership comes from the cheap identity hash; row counts are computed only as far as the pages asked for,
and kept per scenario day, so walking the export page by page costs one build per client.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from datetime import date

from simulator.feeds.aging import aging_rows
from simulator.people.generated import aging_programs, generated_identity
from simulator.people.population import Population


class AgingRoster:
    def __init__(self, population: Population):
        self.population = population
        self._clients: list[int | str] | None = None
        self._lock = threading.Lock()
        self._day: int | None = None
        self._ends: list[int] = []  # cumulative row counts of clients[0..len(ends))

    def clients(self) -> list[int | str]:
        with self._lock:
            if self._clients is None:
                pop = self.population
                personas = [h for h, p in pop.personas.items() if p.record("AGING")]
                residents = []
                for n in range(1, pop.residents + 1):
                    identity = generated_identity(pop.seed, n)
                    if any(aging_programs(identity[6], identity[7])):
                        residents.append(n)
                self._clients = personas + residents
            return self._clients

    def page(self, day: int, start_date: date, page: int, page_size: int) -> tuple[list[dict], bool]:
        """→ (rows of that page, whether more rows follow)."""
        clients = self.clients()
        first, last = (page - 1) * page_size, page * page_size
        with self._lock:
            if self._day != day:
                self._day, self._ends = day, []
            while len(self._ends) < len(clients) and (not self._ends or self._ends[-1] <= last):
                self._ends.append(
                    (self._ends[-1] if self._ends else 0) + len(self._rows(clients[len(self._ends)], day, start_date))
                )
            ends = self._ends
        rows: list[dict] = []
        i = bisect_right(ends, first)
        while i < len(ends) and len(rows) < page_size:
            begin = ends[i - 1] if i else 0
            client_rows = self._rows(clients[i], day, start_date)
            rows.extend(client_rows[max(0, first - begin) : last - begin])
            i += 1
        more = last < (ends[-1] if ends else 0) or len(ends) < len(clients)
        return rows, more

    def _rows(self, ref: int | str, day: int, start_date: date) -> list[dict]:
        person = self.population.by_ref(ref)
        return aging_rows(person, person.record("AGING"), day, start_date)
