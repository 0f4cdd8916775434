"""The worker app of the broker-outage test: the hub's own Celery app (``make_celery``, every registered job)
plus ``tests.hold``, a job that keeps a task in flight while Redis goes away.

    celery -A tests.background.outage_worker worker
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from config import Settings
from services.background import job
from services.celery_app import make_celery


@job("tests.hold")
def hold(context, seconds: float, marker: str) -> None:
    """Keep a task running (unacknowledged: tasks acknowledge late) for ``seconds``; each start leaves a file
    in the folder ``marker`` (the worker's own INFO lines are dropped by the log policy, so the test cannot
    read them)."""
    Path(marker).mkdir(parents=True, exist_ok=True)
    (Path(marker) / f"{time.time_ns()}-{os.getpid()}").touch()
    time.sleep(seconds)


celery = make_celery(Settings.from_env())
