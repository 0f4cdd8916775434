"""Per-agency fault injection for the feeds: down, slow, error (with a rate) or malformed."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass

MODES = ("ok", "down", "slow", "error", "malformed")


@dataclass(frozen=True)
class Fault:
    mode: str
    latency_ms: int = 0
    error_rate: float = 1.0


class FaultBoard:
    def __init__(self, seed: int) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._rng = random.Random(seed)

    def set(self, agency: str, fault: Fault) -> None:
        with self._lock:
            if fault.mode == "ok":
                self._faults.pop(agency, None)
            else:
                self._faults[agency] = fault

    def get(self, agency: str) -> Fault | None:
        with self._lock:
            return self._faults.get(agency)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def error_now(self, fault: Fault) -> bool:
        with self._lock:
            return self._rng.random() < fault.error_rate

    def as_json(self) -> dict:
        with self._lock:
            return {agency: asdict(fault) for agency, fault in sorted(self._faults.items())}
