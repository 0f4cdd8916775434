"""Celery wiring for production: every registered job becomes a Celery task of the same name.

Workers run ``celery -A services.celery_worker worker`` (and ``beat`` for periodic jobs). Tasks acknowledge
late and are re-queued when a worker dies, which is safe because every job is idempotent.

Broker outages: a worker keeps trying to reconnect for as long as Redis is away (``broker_connection_retry``
with no maximum: celery's default gives up after 100 attempts, about 50 minutes, and exits), and it uses the
Redis transport of ``services.celery_broker``, which mends the pinned celery 5.7.0's crash on reconnecting
with a task in flight. Run workers under a supervisor that restarts them anyway (README, "Production
topology"): a worker that exits for any other reason must not stop the outbox.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

from celery import Celery

from config import Settings
from services.background import JOBS, PERIODIC, CeleryRunner, load_jobs, run_job
from services.celery_broker import TRANSPORT


class _WorkerContexts:
    """One HubContext per worker process and Celery app; its own submissions go back through that app."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: dict[int, Any] = {}

    def get(self, app: Celery, settings: Settings) -> Any:
        with self._lock:
            context = self._contexts.get(id(app))
            if context is None:
                from services.context import build_context

                context = build_context(settings, runner=CeleryRunner(None, celery=app))
                context.runner.context = context
                self._contexts[id(app)] = context
            return context


worker_contexts = _WorkerContexts()


def make_celery(settings: Settings, *, context: Any = None) -> Celery:
    """A Celery app for ``settings``; ``context`` (tests) makes its tasks run against an existing HubContext."""
    broker = settings.celery_broker_url or settings.redis_url
    if not broker:
        raise RuntimeError("WORKER_MODE=celery needs CELERY_BROKER_URL or REDIS_URL")
    app = Celery("benefits_hub", broker=broker)
    load_jobs()
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        task_ignore_result=True,
        beat_schedule={name: {"task": name, "schedule": every} for name, every in PERIODIC},
    )
    scheme = broker.partition("://")[0]
    if scheme in {"redis", "rediss"}:
        app.conf.broker_transport = TRANSPORT
    if scheme == "rediss":  # the transport class no longer tells kombu the URL asked for TLS: say it, verified
        app.conf.broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    for name in list(JOBS):
        _register(app, settings, name, context)
    return app


def _register(app: Celery, settings: Settings, name: str, context: Any) -> None:
    def task(**kwargs: Any) -> None:
        run_job(context or worker_contexts.get(app, settings), name, kwargs)

    task.__name__ = name.replace(".", "_")
    app.task(name=name, shared=False)(task)  # shared tasks would leak into every later Celery app
