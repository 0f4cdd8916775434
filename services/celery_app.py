"""Celery for production: the app's settings, one task per registered job, and the runner that publishes.

Workers run ``celery -A celery_worker worker`` (and one ``beat``); the composition root builds their app with
``register_jobs``, which gives every job of the registry a task under the job's own name and the periodic ones
a beat schedule. Tasks acknowledge late and are re-queued when a worker dies, which is safe because every job
is idempotent.

Broker outages: a worker keeps trying to reconnect for as long as Redis is away (``broker_connection_retry``
with no maximum: celery's default gives up after 100 attempts, about 50 minutes, and exits), and it uses the
Redis transport of ``services.celery_broker``, which mends the pinned celery 5.7.0's crash on reconnecting
with a task in flight. Run workers under a supervisor that restarts them anyway (README, "Production
topology"): a worker that exits for any other reason must not stop the outbox.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis.exceptions
from celery import Celery
from celery.signals import setup_logging
from kombu.exceptions import OperationalError

from config import Settings
from services import log_policy
from services.background import Job, JobRegistry, P
from services.celery_broker import TRANSPORT

if TYPE_CHECKING:
    from services.hub import Hub

log = logging.getLogger("hub.background")

# What publishing to an unreachable, refusing or frozen broker raises (kombu wraps most; redis-py and the socket
# layer can surface directly).
BROKER_ERRORS = (OperationalError, redis.exceptions.RedisError, OSError)


@setup_logging.connect
def _hub_log_policy(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Workers log through the hub's log policy (``services/log_policy.py``); a receiver of this signal also
    tells Celery to install none of its own handlers (they would write task lines around the policy)."""
    log_policy.configure_logging(loglevel or "INFO")


def publish_within(seconds: float) -> dict[str, Any]:
    """Celery settings for an app that publishes from request paths (the web): every broker call gives up after
    ``seconds`` and nothing is retried, since a job that could not be queued is skipped and logged and the
    periodic jobs catch up. Workers keep Celery's own connection settings."""
    return {
        "broker_connection_timeout": seconds,
        "broker_transport_options": {"socket_timeout": seconds, "socket_connect_timeout": seconds, "max_retries": 0},
        "task_publish_retry": False,
    }


def make_celery(settings: Settings) -> Celery:
    """A Celery app configured for ``settings`` (broker, serialisation, acknowledgement, reconnection), no tasks."""
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
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        task_ignore_result=True,
    )
    scheme = broker.partition("://")[0]
    if scheme in {"redis", "rediss"}:
        app.conf.broker_transport = TRANSPORT
    if scheme == "rediss":  # the transport class no longer tells kombu the URL asked for TLS: say it, verified
        app.conf.broker_use_ssl = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
    return app


def register_jobs(app: Celery, jobs: JobRegistry, hub: Callable[[], Hub]) -> None:
    """A task per job, named as the job, running it against ``hub()`` (the worker's hub, built on the first
    task after the worker forks); the periodic jobs make the beat schedule."""
    for one in jobs:
        _register(app, one, hub)
    app.conf.beat_schedule = {one.name: {"task": one.name, "schedule": one.every_seconds} for one in jobs.periodic}


def _register(app: Celery, job: Job, hub: Callable[[], Hub]) -> None:
    def task(**kwargs: Any) -> None:
        job(hub(), **kwargs)

    task.__name__ = job.name.replace(".", "_")
    app.task(name=job.name, shared=False)(task)  # shared tasks would leak into every later Celery app


class CeleryRunner:
    """Publishes jobs to the broker by task name. An app built with ``publishing`` (a web process) publishes
    within ``REDIS_TIMEOUT_SECONDS`` and without retries; after a failed publish the runner does not try again for
    ``PUBLISH_PAUSE_SECONDS``, so a frozen broker costs one short wait, not one per request."""

    PUBLISH_PAUSE_SECONDS = 5.0

    def __init__(self, celery: Celery, jobs: JobRegistry) -> None:
        self.celery = celery
        self.jobs = jobs
        self._paused_until = 0.0

    @classmethod
    def publishing(cls, settings: Settings, jobs: JobRegistry) -> CeleryRunner:
        """The runner of a process that only publishes (the web): a Celery app of its own, bounded calls."""
        celery = make_celery(settings)
        celery.conf.update(publish_within(settings.redis_timeout_seconds))
        return cls(celery, jobs)

    def submit(self, job: Job[P, Any], /, *args: P.args, **kwargs: P.kwargs) -> bool:
        self.jobs.check(job, args, kwargs)
        if time.monotonic() < self._paused_until:
            log.info("job not queued: the broker failed moments ago", extra={"job": job.name})
            return False
        try:
            self.celery.send_task(job.name, kwargs=kwargs)
        except BROKER_ERRORS as error:
            self._paused_until = time.monotonic() + self.PUBLISH_PAUSE_SECONDS
            log.warning(
                "job not queued: the broker did not answer", extra={"job": job.name, "error_type": type(error).__name__}
            )
            return False
        return True

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass
