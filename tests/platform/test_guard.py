"""Per-agency guard: a breaker that never serialises calls, one trial when half-open, a known-slow mark, and a
bulkhead for the calls reads wait on."""

from __future__ import annotations

import concurrent.futures
import time

import httpx
import pytest

from services.platform.client import RecordRef
from services.platform.guard import CLOSED, HALF_OPEN, OPEN, AgencyGuard, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def guard(clock: Clock, **overrides) -> AgencyGuard:
    options = {"fail_max": 3, "reset_seconds": 30, "slow_after_seconds": 2.0, "inline_slots": 2, **overrides}
    return AgencyGuard("HFS", monotonic=clock, **options)


def test_failures_open_the_breaker_then_one_trial_at_a_time_decides():
    clock = Clock()
    hfs = guard(clock)
    for _ in range(3):
        hfs.before_call()
        hfs.failed(timed_out=False)
    assert hfs.current_state == OPEN
    with pytest.raises(CircuitOpen):
        hfs.before_call()
    clock.now += 30
    assert hfs.current_state == HALF_OPEN
    hfs.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        hfs.before_call()  # everyone else, while the trial is out
    hfs.failed(timed_out=False)
    assert hfs.current_state == OPEN  # the trial failed: open again for a full reset period
    clock.now += 30
    hfs.before_call()
    hfs.succeeded(0.1)
    assert hfs.current_state == CLOSED
    hfs.before_call()


def test_a_timeout_or_a_slow_answer_marks_the_agency_slow_and_a_quick_one_clears_it():
    clock = Clock()
    hfs = guard(clock)
    hfs.before_call()
    hfs.failed(timed_out=True)
    assert hfs.is_slow() and hfs.inline_slot() is None  # a read does not wait for it
    hfs.before_call()
    hfs.succeeded(0.05)
    assert not hfs.is_slow() and hfs.inline_slot() is not None
    hfs.before_call()
    hfs.succeeded(2.5)  # answered, slower than a read may wait
    assert hfs.is_slow()
    clock.now += 30
    assert not hfs.is_slow()  # forgotten without new evidence: a read may probe it again


def test_the_bulkhead_lets_only_so_many_reads_wait_on_one_agency():
    hfs = guard(Clock(), inline_slots=2)
    first, second = hfs.inline_slot(), hfs.inline_slot()
    assert first and second and hfs.inline_slot() is None
    first.release()
    first.release()  # twice is harmless
    assert hfs.inline_slot() is not None and hfs.inline_slot() is None


def test_an_open_breaker_gives_no_inline_slot():
    clock = Clock()
    hfs = guard(clock, fail_max=1)
    hfs.before_call()
    hfs.failed(timed_out=False)
    assert hfs.inline_slot() is None


def test_calls_to_one_slow_agency_run_side_by_side_not_one_after_another(sandbox_hub, sandbox_url):
    """pybreaker held its lock for the whole call: the second of two reads waited for the first's answer."""
    httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "HFS", "mode": "slow", "latency_ms": 1000})
    client = sandbox_hub.platform
    ref = RecordRef("HFS", "hfs-300400501")
    try:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            views = list(pool.map(lambda _: client.view(ref, timeout=5), range(4)))
        elapsed = time.perf_counter() - started
    finally:
        httpx.post(f"{sandbox_url}/platform/sim/faults", json={"agency": "HFS", "mode": "ok"})
    assert all(view.records for view in views)
    assert elapsed < 2.5, f"four 1 s calls took {elapsed:.2f} s: they queued behind each other"
