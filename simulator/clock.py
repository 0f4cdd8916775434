"""The one scenario clock: the story day (what the agencies' records say) and the wall time (what tokens say)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta


@dataclass
class ScenarioClock:
    start_date: date
    day: int = 0
    wall: Callable[[], float] = field(default=time.time)
    monotonic: Callable[[], float] = field(default=time.monotonic)

    def today(self) -> date:
        return self.date_of(self.day)

    def date_of(self, day: int) -> date:
        return self.start_date + timedelta(days=day)

    def occurred_at(self, day: int) -> str:
        """Story changes happen during the agency's overnight batch, stamped 06:00 UTC of their day."""
        return f"{self.date_of(day).isoformat()}T06:00:00Z"

    def epoch_seconds(self) -> int:
        return int(self.wall())

    @staticmethod
    def real_today() -> date:
        return datetime.now(UTC).date()
