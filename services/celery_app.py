"""Celery wiring for production: every registered job becomes a Celery task of the same name.

Workers run ``celery -A services.celery_worker worker`` (and ``beat`` for periodic jobs). Tasks acknowledge
late and are re-queued when a worker dies, which is safe because every job is idempotent.
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery

from config import Settings
from services.background import JOBS, PERIODIC, load_jobs, run_job

_context_lock = threading.Lock()
_worker_context: Any = None


def _context_for_worker(settings: Settings) -> Any:
    """One HubContext per worker process, whose own submissions go straight back to Celery."""
    global _worker_context
    with _context_lock:
        if _worker_context is None:
            from services.background import CeleryRunner
            from services.context import build_context

            _worker_context = build_context(settings, runner=_LazyCeleryRunner())
            _worker_context.runner.context = _worker_context
            _worker_context.runner.inner = CeleryRunner.__new__(CeleryRunner)
        return _worker_context


class _LazyCeleryRunner:
    """Inside a worker, submitting reuses the worker's own Celery app instead of building another."""

    celery: Celery | None = None
    context: Any = None
    inner: Any = None

    def submit(self, name: str, **kwargs: Any) -> None:
        assert self.celery is not None
        self.celery.send_task(name, kwargs=kwargs)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def make_celery(settings: Settings) -> Celery:
    broker = settings.celery_broker_url or settings.redis_url
    if not broker:
        raise RuntimeError("WORKER_MODE=celery needs CELERY_BROKER_URL or REDIS_URL")
    app = Celery("benefits_hub", broker=broker)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        beat_schedule={name: {"task": name, "schedule": every} for name, every in PERIODIC},
    )
    load_jobs()
    for name in list(JOBS):
        _register(app, settings, name)
    app.conf.beat_schedule = {name: {"task": name, "schedule": every} for name, every in PERIODIC}
    return app


def _register(app: Celery, settings: Settings, name: str) -> None:
    def task(**kwargs: Any) -> None:
        context = _context_for_worker(settings)
        context.runner.celery = app
        run_job(context, name, kwargs)

    task.__name__ = name.replace(".", "_")
    app.task(name=name)(task)
