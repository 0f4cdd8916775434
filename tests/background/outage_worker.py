"""The worker app of the broker-outage test: the hub's own Celery app (``composition.create_celery``, every job of
``composition.JOBS``) plus ``tests.hold`` (``tests/background/hold.py``).

    celery -A tests.background.outage_worker worker
"""

from __future__ import annotations

from composition import create_celery
from config import Settings
from tests.background.hold import WORKER_JOBS

celery = create_celery(Settings.from_env(), jobs=WORKER_JOBS)
