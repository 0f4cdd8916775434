"""``tests.hold``: a job that keeps a task in flight while Redis goes away (the broker-outage test), and the job
registry of that test's worker (every job of ``composition.JOBS`` plus this one)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from composition import JOBS
from services.background import job


@job("tests.hold")
def hold(hub, seconds: float, marker: str) -> None:
    """Keep a task running (unacknowledged: tasks acknowledge late) for ``seconds``; each start leaves a file
    in the folder ``marker`` (the worker's own INFO lines are dropped by the log policy, so the test cannot
    read them)."""
    Path(marker).mkdir(parents=True, exist_ok=True)
    (Path(marker) / f"{time.time_ns()}-{os.getpid()}").touch()
    time.sleep(seconds)


WORKER_JOBS = JOBS.including(hold)
