"""Background work: one way to queue a job, three runners.

Jobs are plain functions registered with ``@job("name")`` taking ``(context, **kwargs)`` with JSON-able
kwargs; they open their own sessions and are safe to run twice. ``submit`` queues one, best effort: it answers
whether the job was queued and never raises because the broker is down or frozen (a request never fails for
it). Nothing that must not be lost depends on a submission: the outbox and the periodic jobs catch up, and a
caller that recorded a request (a read's debounced refresh, a pushed event's pull) undoes it when ``submit``
answers ``False``.

- ``InProcessRunner`` (embedded default): a small thread pool plus a ticker for periodic jobs.
- ``CeleryRunner`` (production): ``send_task`` to Celery workers over Redis (see ``services/celery_app.py``).
- ``ManualRunner`` (tests): records submissions; a test runs them explicitly with ``run_pending()`` so that
  no background work happens behind a test's back, and an unexpected submission is visible.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger("hub.background")

JOBS: dict[str, Callable[..., Any]] = {}
PERIODIC: list[tuple[str, float]] = []
_JOB_MODULES = ("services.jobs",)


def job(name: str, *, every_seconds: float | None = None):
    """Register ``func`` as a background job; ``every_seconds`` also runs it periodically."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        JOBS[name] = func
        if every_seconds:
            PERIODIC.append((name, every_seconds))
        return func

    return decorator


def load_jobs() -> None:
    import importlib

    for module in _JOB_MODULES:
        importlib.import_module(module)


def run_job(context: Any, name: str, kwargs: dict[str, Any]) -> Any:
    load_jobs()
    return JOBS[name](context, **kwargs)


class ManualRunner:
    def __init__(self, context: Any = None) -> None:
        self.context = context
        self.pending: list[tuple[str, dict[str, Any]]] = []

    def submit(self, name: str, **kwargs: Any) -> bool:
        self.pending.append((name, kwargs))
        return True

    def run_pending(self) -> int:
        ran = 0
        while self.pending:
            name, kwargs = self.pending.pop(0)
            run_job(self.context, name, kwargs)
            ran += 1
        return ran

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


class InProcessRunner:
    def __init__(self, context: Any, workers: int = 4) -> None:
        self.context = context
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hub-job")
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def submit(self, name: str, **kwargs: Any) -> bool:
        try:
            self._executor.submit(self._run_logged, name, kwargs)
        except RuntimeError:  # shutting down
            log.warning("job not queued: the runner is stopping", extra={"job": name})
            return False
        return True

    def _run_logged(self, name: str, kwargs: dict[str, Any]) -> None:
        try:
            run_job(self.context, name, kwargs)
        except Exception:
            log.exception("background job failed", extra={"job": name})

    def start(self) -> None:
        """Start the ticker for periodic jobs (the embedded stand-in for Celery beat)."""
        load_jobs()
        if self._ticker or not PERIODIC:
            return
        self._ticker = threading.Thread(target=self._tick, name="hub-ticker", daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        last: dict[str, float] = {}
        while not self._stop.wait(0.5):
            now = time.monotonic()
            for name, every in PERIODIC:
                if now - last.get(name, 0.0) >= every:
                    last[name] = now
                    self.submit(name)

    def stop(self) -> None:
        self._stop.set()
        self._executor.shutdown(wait=True, cancel_futures=False)


class CeleryRunner:
    """Publishes jobs to the broker. Built without ``celery`` (a web process), it publishes within
    ``REDIS_TIMEOUT_SECONDS`` and without retries; after a failed publish it does not try again for
    ``PUBLISH_PAUSE_SECONDS``, so a frozen broker costs one short wait, not one per request."""

    PUBLISH_PAUSE_SECONDS = 5.0

    def __init__(self, context: Any, celery: Any = None) -> None:
        from services.celery_app import BROKER_ERRORS, make_celery, publish_within

        if celery is None:
            celery = make_celery(context.settings)
            celery.conf.update(publish_within(context.settings.redis_timeout_seconds))
        self.context = context
        self.celery = celery
        self._errors = BROKER_ERRORS
        self._paused_until = 0.0

    def submit(self, name: str, **kwargs: Any) -> bool:
        if time.monotonic() < self._paused_until:
            log.info("job not queued: the broker failed moments ago", extra={"job": name})
            return False
        try:
            self.celery.send_task(name, kwargs=kwargs)
        except self._errors as error:
            self._paused_until = time.monotonic() + self.PUBLISH_PAUSE_SECONDS
            log.warning(
                "job not queued: the broker did not answer", extra={"job": name, "error_type": type(error).__name__}
            )
            return False
        return True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def runner_for(context: Any):
    if context.settings.worker_mode == "celery":
        return CeleryRunner(context)
    return InProcessRunner(context)
