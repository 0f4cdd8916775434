"""The scenario: population, clock, change calendar, faults and events, and `advance` that ties them together."""

from __future__ import annotations

import json
import secrets
import threading

from simulator.clock import ScenarioClock
from simulator.feeds.documents import render_record_document
from simulator.people.letters import letter_code
from simulator.people.model import Person
from simulator.people.population import Population
from simulator.scenario.aging_roster import AgingRoster
from simulator.scenario.calendar import ChangeCalendar
from simulator.scenario.delivery import EventDelivery
from simulator.scenario.document_intake import DocumentIntake
from simulator.scenario.event_log import DeliveryRecord, EventLog
from simulator.scenario.faults import FaultBoard
from simulator.scenario.interview_slots import InterviewSlots
from simulator.scenario.maintenance import MaintenanceBoard
from simulator.scenario.representatives import Representatives
from simulator.settings import SimulatorSettings

MAX_ADVANCE_DAYS = 366
ADVANCE_SUMMARIES_SHOWN = 1000


class Scenario:
    def __init__(self, settings: SimulatorSettings, clock: ScenarioClock):
        self.settings, self.clock = settings, clock
        self.lock = threading.RLock()
        self.population = Population(settings.seed, settings.residents, clock.start_date)
        self.aging_roster = AgingRoster(self.population)
        self.faults = FaultBoard(settings.seed)
        self.maintenance = MaintenanceBoard(clock.wall)
        self.delivery = None
        if settings.hub_events_url:
            self.delivery = EventDelivery(
                settings.hub_events_url,
                settings.hub_events_secret,
                clock,
                settings.delivery_max_attempts,
                settings.delivery_backoff_seconds,
                settings.delivery_timeout_seconds,
            )
        self._start_story()

    def _start_story(self) -> None:
        self.clock.day = 0
        self.calendar = ChangeCalendar(
            self.settings.seed, self.settings.residents, self.clock.start_date, self.population.personas
        )
        self.events = EventLog()
        self.intake = DocumentIntake()
        self.slots = InterviewSlots()
        self.representatives = Representatives(self.population, self.clock.occurred_at)
        self.sequence = 0

    def reset(self) -> None:
        with self.lock:
            self.faults.clear()
            self.maintenance.reset()
            self._start_story()

    def advance(self, days: int) -> tuple[list[dict], int]:
        """Move day by day; each change of a person's agency record becomes one signed event. → (summaries, count)"""
        emitted: list[dict] = []
        records = []
        with self.lock:
            for _ in range(days):
                self.clock.day += 1
                for ref, agency in self.calendar.changes_on(self.clock.day):
                    record = self._emit(self.population.by_ref(ref), agency)
                    records.append(record)
                    if len(emitted) < ADVANCE_SUMMARIES_SHOWN:
                        emitted.append(record.summary)
            self._deliver(records)
        return emitted, len(records)

    def _deliver(self, records: list[DeliveryRecord]) -> None:
        """Queue the events for the hub all at once, so they go out together (batches of up to 500)."""
        if self.delivery is not None and records:
            self.delivery.submit(*records)

    def _emit(self, person: Person, agency: str) -> DeliveryRecord:
        """The change as an event in the log (not yet queued for the hub: ``_deliver``)."""
        day = self.clock.day
        record = person.record(agency)
        document = render_record_document(person, record, day, self.clock.start_date, self.settings.public_url)
        self.sequence += 1
        summary = {
            "event_id": "evt_" + secrets.token_hex(12),
            "type": "record.changed",
            "agency": agency,
            "person_id": person.person_id,
            "record_id": record.record_id,
            "occurred_at": self.clock.occurred_at(day),
            "scenario_day": day,
            "sequence": self.sequence,
        }
        body = json.dumps({**summary, "document": document}, ensure_ascii=False, separators=(",", ":")).encode()
        return self.events.append(summary, body, deliverable=self.delivery is not None)

    def end_designation(self, designation_id: str) -> dict | None:
        """The agency ends a designation (a sandbox control): the record changed, so its event goes out."""
        with self.lock:
            ended = self.representatives.end(designation_id, "agency", self.clock.day)
            if ended is not None:
                self._deliver([self._emit(self.population.by_person_id(ended["person_id"]), ended["agency"])])
            return ended

    def redeliver(self, event_id: str) -> bool:
        record = self.events.get(event_id)
        if record is None or self.delivery is None:
            return False
        record.redeliveries += 1
        self.delivery.submit(record)
        return True

    def letters(self, person: Person) -> list[dict]:
        return [
            {
                "agency": record.agency,
                "record_id": record.record_id,
                "program": case.program,
                "case_number": case.case_number,
                "letter_code": letter_code(self.settings.seed, record.agency, case.case_number),
            }
            for record in person.records
            for case in record.cases
        ]

    def state(self) -> dict:
        return {
            "scenario_day": self.clock.day,
            "date": self.clock.today().isoformat(),
            "start_date": self.clock.start_date.isoformat(),
            "seed": self.settings.seed,
            "residents": self.settings.residents,
            "faults": self.faults.as_json(),
            "events": self.events.counts(),
            "documents": self.intake.counts(),
            "hub_events_url": self.settings.hub_events_url,
            "personas": [
                {
                    "persona": p.handle,
                    "person_id": p.person_id,
                    "verified": p.verified,
                    "records": [{"agency": r.agency, "record_id": r.record_id} for r in p.records],
                }
                for p in self.population.personas.values()
            ],
        }
