"""Delivers signed change events to the hub from one background thread, retrying with exponential backoff."""

from __future__ import annotations

import heapq
import itertools
import threading
from datetime import UTC, datetime

import httpx

from simulator.clock import ScenarioClock
from simulator.scenario.event_log import DeliveryRecord
from simulator.scenario.signing import signed_headers


class EventDelivery:
    def __init__(
        self,
        url: str,
        secret: str,
        clock: ScenarioClock,
        max_attempts: int,
        backoff_seconds: float,
        timeout_seconds: float,
    ):
        self.url, self.secret, self.clock = url, secret, clock
        self.max_attempts, self.backoff, self.timeout = max_attempts, backoff_seconds, timeout_seconds
        self._queue: list[tuple[float, int, DeliveryRecord, int]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, record: DeliveryRecord) -> None:
        """Queue a (re)delivery; a record's attempts restart counting from now."""
        with self._wake:
            record.status = "pending"
            heapq.heappush(self._queue, (self.clock.monotonic(), next(self._order), record, 1))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-event-delivery", daemon=True)
                self._thread.start()
            self._wake.notify()

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._queue.clear()
            self._wake.notify()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                with self._wake:
                    while not self._closed and (not self._queue or self._queue[0][0] > self.clock.monotonic()):
                        self._wake.wait(None if not self._queue else self._queue[0][0] - self.clock.monotonic())
                    if self._closed:
                        return
                    _, _, record, attempt = heapq.heappop(self._queue)
                self._attempt(client, record, attempt)

    def _attempt(self, client: httpx.Client, record: DeliveryRecord, attempt: int) -> None:
        timestamp = self.clock.epoch_seconds()
        outcome: dict = {
            "attempt": attempt,
            "at": datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z"),
        }
        try:
            response = client.post(
                self.url,
                content=record.body,
                headers=signed_headers(self.secret, timestamp, record.body, record.summary["event_id"]),
            )
            outcome["status_code"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            outcome["error"] = type(exc).__name__
            ok = False
        with self._wake:
            record.attempts.append(outcome)
            if ok:
                record.status = "delivered"
            elif attempt >= self.max_attempts:
                record.status = "failed"
            else:
                due = self.clock.monotonic() + self.backoff * 2 ** (attempt - 1)
                heapq.heappush(self._queue, (due, next(self._order), record, attempt + 1))
