"""The composition root: the one module that imports every layer and wires them together.

``services/`` (the domain and the database) never imports ``notifications/`` or ``api/``, and ``notifications/``
never imports ``api/`` (``tests/test_layers.py`` holds them to it). So whatever crosses those lines is decided
here: which push transport the hub holds (notifications/ builds it), which jobs exist (every background job,
listed by reference in ``JOBS``), which runner runs them, and how the Flask app (api's factory) and the Celery
app are built around one hub. Everything else receives what it needs as typed arguments.

Observability is wired here too: OpenTelemetry tracing (``services.tracing``, off unless ``OTEL_ENABLED``) for
the web app and the Celery worker, and the Prometheus bookkeeping of Celery's worker processes (their metrics
files, ``services.metrics``).

Entry points: ``wsgi.py`` (``gunicorn wsgi:app``), ``celery_worker.py`` (``celery -A celery_worker worker|beat``),
``flask --app composition:create_app …`` (CLI commands), the tests' fixtures and the benchmarks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from celery import Celery
from celery.signals import worker_init, worker_process_init, worker_process_shutdown
from flask import Flask
from sqlalchemy.engine import Engine

import services.models  # noqa: F401  (registers every model on the metadata)
from api.app import create_app as create_api_app
from api.resident.benefits.stored import as_of as resident_view_as_of
from api.resident.benefits.stored import render as render_resident_view
from config import Problem, Settings, SettingsError, load_or_exit
from notifications.delivery import send_deliveries_job
from notifications.dispatch import dispatch_job, reminders_job
from notifications.nudge_pushes import nudge_pushes_job
from notifications.transports import transport_from_settings
from services import tracing
from services.background import InProcessRunner, JobRegistry, Runner
from services.benefits import documents
from services.benefits.event_inbox import after_apply, apply_platform_events_job
from services.benefits.platform_events import prune_platform_events_job
from services.benefits.sync import refresh_source_job
from services.celery_app import CeleryRunner, make_celery, register_jobs
from services.documents.forwarding import forward_document_job, sweep_documents_job
from services.hub import Hub, RunnerFactory, engine_for
from services.idempotency import prune_idempotency_keys_job
from services.identity.link_throttle import prune_link_failures_job
from services.identity.linking import link_records_job
from services.identity.used_id_tokens import prune_used_id_tokens_job
from services.metrics.exposition import multiprocess_dir, serve_worker_metrics
from services.partner.callbacks import deliver_callbacks_job
from services.platform.client import platform_check
from services.platform.maintenance import refresh_maintenance_job
from services.readiness import Readiness, database_check, redis_check
from services.representation.platform_sync import discover_job, reconcile_job, reconcile_record_job

# What a resident sees is rendered with the API's schemas whenever it changes, in every process that writes it.
documents.use_renderer(render_resident_view, as_of=resident_view_as_of)
# Applied platform events wrote outbox rows: turn them into pushes now rather than at the next 2-second tick.
after_apply(lambda hub: hub.runner.submit(dispatch_job))

JOBS = JobRegistry(
    [
        refresh_source_job,  # benefits.refresh_source: queued by reads, pushed events and support's resync
        documents.render_views_job,  # benefits.render_views: queued by a read that found no current document
        apply_platform_events_job,  # benefits.apply_platform_events: after events are accepted, and every 5 s
        prune_platform_events_job,  # benefits.prune_platform_events: daily
        link_records_job,  # identity.link_records: every 5 minutes, and for one resident on demand
        prune_used_id_tokens_job,  # identity.prune_used_id_tokens: hourly
        prune_link_failures_job,  # identity.prune_link_failures: hourly
        prune_idempotency_keys_job,  # idempotency.prune: hourly
        dispatch_job,  # notifications.dispatch: every 2 s, and after the reminder scan wrote some
        send_deliveries_job,  # notifications.send_deliveries: every 10 s, and after dispatch wrote deliveries
        reminders_job,  # notifications.reminders: hourly
        nudge_pushes_job,  # nudges.push_urgent: hourly, pushes urgent nudges within quiet hours and the weekly limit
        forward_document_job,  # documents.forward: queued by each upload
        sweep_documents_job,  # documents.sweep: every 30 s, forwards what is due and asks for decisions
        refresh_maintenance_job,  # platform.refresh_maintenance: every 5 minutes
        deliver_callbacks_job,  # partner.deliver_callbacks: every 5 s, and after dispatch queued some
        discover_job,  # representation.discover: after a verified sign-in the person index knows
        reconcile_record_job,  # representation.reconcile_record: after a refresh or a change of a represented record
        reconcile_job,  # representation.reconcile: every 15 minutes
    ]
)


def default_runner(hub: Hub, jobs: JobRegistry) -> Runner:
    """``WORKER_MODE=celery`` publishes to the broker (bounded, for request paths); otherwise the in-process runner."""
    if hub.settings.worker_mode == "celery":
        return CeleryRunner.publishing(hub.settings, jobs)
    return InProcessRunner(hub, jobs)


def default_readiness(settings: Settings, engine: Engine) -> Readiness:
    """The database, the broker when jobs go through one; the platform is added once the hub exists."""
    readiness = Readiness()
    readiness.add("database", database_check(engine))
    broker = settings.celery_broker_url or settings.redis_url
    if settings.worker_mode == "celery" and broker.startswith("redis"):
        readiness.add("broker", redis_check(broker, settings.redis_timeout_seconds))
    return readiness


def build_hub(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    readiness: Readiness | None = None,
    runner: RunnerFactory = default_runner,
    jobs: JobRegistry = JOBS,
) -> Hub:
    """The hub of one process. Without ``readiness`` it reports the database, the broker and the platform (the last
    informational: the hub serves last good copies without it)."""
    settings = settings or Settings.from_env()
    engine = engine if engine is not None else engine_for(settings)
    checks = readiness if readiness is not None else default_readiness(settings, engine)
    hub = Hub(
        settings, jobs=jobs, runner=runner, push_transport=transport_from_settings, engine=engine, readiness=checks
    )
    if readiness is None:
        checks.add("platform", platform_check(hub))
    return hub


def create_app(settings: Settings | None = None, *, hub: Hub | None = None) -> Flask:
    """The Flask app over ``hub`` (built from ``settings``, or the environment, when not given), traced when
    ``OTEL_ENABLED``: a server span per request (not the probes or /metrics), its SQL and its platform calls.
    Called with nothing by ``flask --app composition:create_app …``: settings the hub refuses are then listed on
    stderr and the command exits 2, without a traceback."""
    if hub is None:
        hub = build_hub(settings if settings is not None else load_or_exit())
    app = create_api_app(hub)
    provider = tracing.install(hub.settings, tracing.WEB_SERVICE)
    if provider is not None:
        from opentelemetry.instrumentation.flask import FlaskInstrumentor

        tracing.trace_engine(hub.engine)
        FlaskInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="healthz,readyz,metrics", enable_commenter=False
        )
    return app


def create_celery(settings: Settings | None = None, *, hub: Hub | None = None, jobs: JobRegistry = JOBS) -> Celery:
    """The Celery app of workers and beat: a task per job in ``jobs``. Tasks run against ``hub`` when given (tests),
    else against the worker's own hub, built on its first task (after the worker process forked), whose runner
    publishes follow-up jobs through this same app."""
    settings = settings or Settings.from_env()
    app = make_celery(settings)
    register_jobs(app, jobs, (lambda: hub) if hub is not None else _once(lambda: _worker_hub(settings, app, jobs)))
    _observe_worker_processes(settings)
    if hub is not None and tracing.install(settings, tracing.WORKER_SERVICE) is not None:
        tracing.trace_engine(hub.engine)
    return app


def _worker_hub(settings: Settings, app: Celery, jobs: JobRegistry) -> Hub:
    hub = build_hub(settings, runner=lambda _hub, registry: CeleryRunner(app, registry), jobs=jobs)
    if tracing.install(settings, tracing.WORKER_SERVICE) is not None:  # pools without child processes start it here
        tracing.trace_engine(hub.engine)
    return hub


def _observe_worker_processes(settings: Settings) -> None:
    """Each prefork child starts tracing after the fork (its exporter's thread is its own), and one that exits
    has its live gauges removed from the metrics directory (``hub_platform_breaker_open`` of a dead process
    must not keep an agency "open"). With ``WORKER_METRICS_BIND`` the worker's main process serves the metrics
    of its pool (a worker machine without a web node is scraped there)."""

    if settings.otel_enabled:
        worker_process_init.connect(lambda **_kwargs: tracing.install(settings, tracing.WORKER_SERVICE), weak=False)
    if multiprocess_dir():
        from prometheus_client import multiprocess

        worker_process_shutdown.connect(lambda **_kwargs: multiprocess.mark_process_dead(os.getpid()), weak=False)
    if settings.worker_metrics_bind:
        if not multiprocess_dir():
            problem = Problem(
                "WORKER_METRICS_BIND",
                "WORKER_METRICS_BIND needs PROMETHEUS_MULTIPROC_DIR (the pool's processes write there)",
            )
            raise SettingsError([problem], settings.hub_env)
        worker_init.connect(
            lambda **_kwargs: serve_worker_metrics(settings.worker_metrics_bind, settings.metrics_token), weak=False
        )


def _once(build: Callable[[], Hub]) -> Callable[[], Hub]:
    """``build()`` on the first call, the same hub afterwards, whatever the number of threads asking."""
    lock, built = threading.Lock(), []

    def get() -> Hub:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0]

    return get
