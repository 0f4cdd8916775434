"""Background work: one way to queue a job, three runners.

Jobs are plain functions registered with ``@job("name")`` taking ``(context, **kwargs)`` with JSON-able
kwargs; they open their own sessions and are safe to run twice. ``submit`` queues one.

- ``InProcessRunner`` (embedded default): a small thread pool plus a ticker for periodic jobs.
- ``CeleryRunner`` (production): ``send_task`` to Celery workers over Redis (see ``services/celery_app.py``).
- ``ManualRunner`` (tests): records submissions; a test runs them explicitly with ``run_pending()`` so that
  no background work happens behind a test's back, and an unexpected submission is visible.
"""

from __future__ import annotations

import logging
import threading
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

    def submit(self, name: str, **kwargs: Any) -> None:
        self.pending.append((name, kwargs))

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

    def submit(self, name: str, **kwargs: Any) -> None:
        self._executor.submit(self._run_logged, name, kwargs)

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
        import time

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
    def __init__(self, context: Any, celery: Any = None) -> None:
        if celery is None:
            from services.celery_app import make_celery

            celery = make_celery(context.settings)
        self.context = context
        self.celery = celery

    def submit(self, name: str, **kwargs: Any) -> None:
        self.celery.send_task(name, kwargs=kwargs)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def runner_for(context: Any):
    if context.settings.worker_mode == "celery":
        return CeleryRunner(context)
    return InProcessRunner(context)
