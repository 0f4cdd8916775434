"""Every change the scenario emitted: the per-agency change feeds, and the recent events with their delivery state."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

KEPT_BODIES = 10_000  # bodies of older events are dropped; their change-feed entries stay


@dataclass
class DeliveryRecord:
    summary: dict  # the event without its document
    body: bytes | None
    status: str = "pending"  # pending | delivered | failed | not_sent
    attempts: list[dict] = field(default_factory=list)
    redeliveries: int = 0

    def as_json(self) -> dict:
        return {
            **self.summary,
            "delivery": {"status": self.status, "attempts": list(self.attempts), "redeliveries": self.redeliveries},
        }


class EventLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes: dict[str, list[dict]] = {}
        self._records: OrderedDict[str, DeliveryRecord] = OrderedDict()
        self.total = 0

    def append(self, summary: dict, body: bytes, deliverable: bool) -> DeliveryRecord:
        record = DeliveryRecord(summary, body, "pending" if deliverable else "not_sent")
        with self._lock:
            self._changes.setdefault(summary["agency"], []).append(
                {k: summary[k] for k in ("event_id", "agency", "person_id", "record_id", "occurred_at")}
            )
            self._records[summary["event_id"]] = record
            self.total += 1
            if len(self._records) > KEPT_BODIES:
                self._records.popitem(last=False)
        return record

    def changes(self, agency: str, since: int, limit: int) -> tuple[list[dict], int]:
        with self._lock:
            feed = self._changes.get(agency, [])
            page = feed[since : since + limit]
        return page, since + len(page)

    def get(self, event_id: str) -> DeliveryRecord | None:
        with self._lock:
            return self._records.get(event_id)

    def recent(self, limit: int) -> list[dict]:
        with self._lock:
            records = list(self._records.values())[-limit:]
        return [r.as_json() for r in reversed(records)]

    def counts(self) -> dict[str, int]:
        with self._lock:
            statuses = [r.status for r in self._records.values()]
        return {"total": self.total, **{s: statuses.count(s) for s in ("pending", "delivered", "failed", "not_sent")}}
