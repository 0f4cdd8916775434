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

import redis.exceptions
from celery import Celery
from celery.signals import setup_logging
from kombu.exceptions import OperationalError

from config import Settings
from services import log_policy
from services.background import JOBS, PERIODIC, CeleryRunner, load_jobs, run_job
from services.celery_broker import TRANSPORT


@setup_logging.connect
def _hub_log_policy(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Workers log through the hub's log policy (``services/log_policy.py``); a receiver of this signal also
    tells Celery to install none of its own handlers (they would write task lines around the policy)."""
    log_policy.configure_logging(loglevel or "INFO")


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

# What publishing to an unreachable, refusing or frozen broker raises (kombu wraps most; redis-py and the socket
# layer can surface directly).
BROKER_ERRORS = (OperationalError, redis.exceptions.RedisError, OSError)


def publish_within(seconds: float) -> dict[str, Any]:
    """Celery settings for an app that publishes from request paths (the web): every broker call gives up after
    ``seconds`` and nothing is retried, since a job that could not be queued is skipped and logged and the
    periodic jobs catch up. Workers keep Celery's own connection settings."""
    return {
        "broker_connection_timeout": seconds,
        "broker_transport_options": {"socket_timeout": seconds, "socket_connect_timeout": seconds, "max_retries": 0},
        "task_publish_retry": False,
    }


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
