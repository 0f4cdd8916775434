"""Delivers signed change events to the hub from one background thread, retrying with exponential backoff.

The events due at once go out together: up to ``BATCH_LIMIT`` (and ``BATCH_BYTES``) in one signed ``POST`` to the
hub's ``/v1/platform/event-batches`` (beside the events URL), a lone one to the events URL as before, so a day's
changes cost the hub one request, not one each. A batch is acknowledged or refused whole (the hub stores it in one
transaction), so each of its events records the same attempt and, refused, is retried on its own backoff, again
together with the others due then. An events URL not ending in ``/events`` has no batch URL beside it: its events go
one by one."""

from __future__ import annotations

import heapq
import itertools
import threading
from datetime import UTC, datetime

import httpx

from simulator.clock import ScenarioClock
from simulator.scenario.event_log import DeliveryRecord
from simulator.scenario.signing import signed_headers

BATCH_LIMIT = 500  # what the hub takes in one batch
BATCH_BYTES = 768 * 1024  # and well under its default body limit (MAX_CONTENT_LENGTH, 1 MiB)


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
        self.batch_url = url.removesuffix("/events") + "/event-batches" if url.endswith("/events") else None
        self.max_attempts, self.backoff, self.timeout = max_attempts, backoff_seconds, timeout_seconds
        self._queue: list[tuple[float, int, DeliveryRecord, int]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, *records: DeliveryRecord) -> None:
        """Queue (re)deliveries, due now and so sent together; a record's attempts restart counting from now."""
        with self._wake:
            for record in records:
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
                    due = self._due()
                self._attempt(client, due)

    def _due(self) -> list[tuple[DeliveryRecord, int]]:
        """The records due now, oldest first: one, or as many as a batch takes (``BATCH_LIMIT`` events, their
        bodies within ``BATCH_BYTES``; a larger one goes alone) when there is a batch URL."""
        now, limit = self.clock.monotonic(), BATCH_LIMIT if self.batch_url else 1
        due, size = [], 0
        while self._queue and self._queue[0][0] <= now and len(due) < limit:
            record = self._queue[0][2]
            size += len(record.body) + 1
            if due and size > BATCH_BYTES:
                break
            _, _, record, attempt = heapq.heappop(self._queue)
            due.append((record, attempt))
        return due

    def _attempt(self, client: httpx.Client, due: list[tuple[DeliveryRecord, int]]) -> None:
        timestamp = self.clock.epoch_seconds()
        outcome: dict = {"at": datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")}
        try:
            url, request = self._request(timestamp, [record for record, _ in due])
            response = client.post(url, **request)
            outcome["status_code"] = response.status_code
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            outcome["error"] = type(exc).__name__
            ok = False
        with self._wake:
            for record, attempt in due:
                record.attempts.append({"attempt": attempt, **outcome})
                if ok:
                    record.status = "delivered"
                elif attempt >= self.max_attempts:
                    record.status = "failed"
                else:
                    due_at = self.clock.monotonic() + self.backoff * 2 ** (attempt - 1)
                    heapq.heappush(self._queue, (due_at, next(self._order), record, attempt + 1))

    def _request(self, timestamp: int, records: list[DeliveryRecord]) -> tuple[str, dict]:
        """The URL and the signed request's arguments: a lone event as it is, several as one batch."""
        if len(records) == 1:
            (record,) = records
            url, body, event_id = self.url, record.body, record.summary["event_id"]
        else:
            url, body, event_id = self.batch_url, b'{"events":[' + b",".join(one.body for one in records) + b"]}", None
        return url, {"content": body, "headers": signed_headers(self.secret, timestamp, body, event_id)}
