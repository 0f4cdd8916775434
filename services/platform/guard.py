"""What a process knows of one agency's health, shared by every request and job: a circuit breaker, whether the
agency is known slow, and a bulkhead for the reads that wait on it.

Nothing here holds a lock while a call is in flight. (pybreaker, used before, holds its lock for the whole
guarded call: every request to an agency queued behind the one in flight, so one slow agency held a thread per
request and the platform pool filled up with waiters.)

- **Breaker.** ``fail_max`` failures in a row open it; for ``reset_seconds`` every call fails at once. Then one
  trial call is let through (half-open) while the others still fail at once; its success closes the breaker,
  its failure opens it again.
- **Known slow.** A call that timed out or took longer than ``slow_after_seconds`` (the read budget) marks the
  agency slow for ``reset_seconds``; a quick answer clears it. Reads do not wait for a slow agency: they serve
  the last good copy and leave the refresh to background work, whose answers keep the mark current.
- **Bulkhead.** At most ``inline_slots`` calls a read waits on run at once per agency; a read that finds them
  taken does not wait for that agency either. So a slow agency holds at most that many web threads.

Every call's outcome, each opening of the breaker, whether it is open and when the agency last answered are
told to Prometheus (``services.metrics.instruments``: ``hub_platform_*``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from services.metrics import instruments

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitOpen(Exception):
    """The agency failed repeatedly (or its trial call is still out): not asked for now."""


class AgencyGuard:
    def __init__(
        self,
        name: str,
        *,
        fail_max: int,
        reset_seconds: float,
        slow_after_seconds: float,
        inline_slots: int,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.fail_max = fail_max
        self.reset_seconds = reset_seconds
        self.slow_after_seconds = slow_after_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()  # guards the fields below, never held during a call
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_out = False
        self._slow_until = 0.0
        self._slots = threading.BoundedSemaphore(inline_slots)
        instruments.breaker_open.labels(name).set(0)

    # Breaker ----------------------------------------------------------------------------------------

    @property
    def current_state(self) -> str:
        with self._lock:
            if self._state == OPEN and self._monotonic() - self._opened_at >= self.reset_seconds:
                return HALF_OPEN
            return self._state

    def before_call(self) -> None:
        """Let a call go ahead, or raise ``CircuitOpen``. A caller let through must report ``succeeded`` or
        ``failed``."""
        with self._lock:
            if self._state == CLOSED:
                return
            if self._state == OPEN and self._monotonic() - self._opened_at < self.reset_seconds:
                self._count("circuit_open")
                raise CircuitOpen(self.name)
            if self._trial_out:
                self._count("circuit_open")
                raise CircuitOpen(self.name)
            self._state, self._trial_out = HALF_OPEN, True  # this caller is the trial

    def succeeded(self, seconds: float) -> None:
        with self._lock:
            was = self._state
            self._state, self._failures, self._trial_out = CLOSED, 0, False
            self._slow_until = self._monotonic() + self.reset_seconds if seconds > self.slow_after_seconds else 0.0
        self._count("ok")
        instruments.platform_last_success.labels(self.name).set_to_current_time()
        if was != CLOSED:
            instruments.breaker_open.labels(self.name).set(0)

    def failed(self, *, timed_out: bool) -> None:
        with self._lock:
            self._failures += 1
            was = self._state
            if self._state == HALF_OPEN or self._failures >= self.fail_max:
                self._state, self._opened_at = OPEN, self._monotonic()
            opened = was != OPEN and self._state == OPEN
            self._trial_out = False
            if timed_out:
                self._slow_until = self._monotonic() + self.reset_seconds
        self._count("timeout" if timed_out else "error")
        if opened:
            instruments.breaker_opened.labels(self.name).inc()
            instruments.breaker_open.labels(self.name).set(1)

    def _count(self, outcome: str) -> None:
        instruments.platform_calls.labels(self.name, outcome).inc()

    def is_open(self) -> bool:
        """Open and not yet due for a trial."""
        with self._lock:
            return self._state == OPEN and self._monotonic() - self._opened_at < self.reset_seconds

    # Slowness and the bulkhead ----------------------------------------------------------------------

    def is_slow(self) -> bool:
        with self._lock:
            return self._monotonic() < self._slow_until

    def inline_slot(self) -> InlineSlot | None:
        """A slot for a call a read will wait on, or None: the breaker is open, the agency is known slow, or
        the slots are taken. Release it when the call is over (not when the read stops waiting)."""
        if self.is_open() or self.is_slow() or not self._slots.acquire(blocking=False):
            return None
        return InlineSlot(self._slots)


class InlineSlot:
    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore = semaphore
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._semaphore.release()
