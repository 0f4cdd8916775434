"""The gauges read when Prometheus scrapes: the outbox, pushes waiting, the audit chain, Celery's queue.

Each value is one cheap, bounded query: a row found through an index (the oldest pending outbox event, the
chain head), or a count that stops at ``COUNT_CAP`` rows (a backlog that large is an incident whatever its
exact size, and counting it must not become one). Nothing is per resident. On PostgreSQL the queries run
under a ``statement_timeout``; a database or broker that does not answer makes its ``hub_metrics_source_up``
0 and its gauges absent, never a failed scrape. Celery's queue is read from Redis (``LLEN`` of the queue, and
the broker's unacknowledged set) only when jobs go through a Redis broker.

The time is ``services.clock``'s, as everywhere in the hub.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import redis
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from services import clock
from services.audit import CHAIN_HEAD_ID
from services.models.audit import AuditChainHead
from services.models.notifications import PushDelivery
from services.models.outbox import OutboxEvent

log = logging.getLogger("hub.metrics")

COUNT_CAP = 100_000
STATEMENT_TIMEOUT_MS = 2_000
CELERY_QUEUES = ("celery",)  # Celery's default queue, where the hub publishes every job
CELERY_UNACKED_KEY = "unacked"  # kombu's Redis transport: messages delivered to a worker, not yet acknowledged


class HubCollector(Collector):
    """``hub_outbox_*``, ``hub_push_pending``/``hub_push_oldest_due_age_seconds``, ``hub_audit_chain_length``,
    ``hub_celery_*``, ``hub_source_fresh_seconds`` and ``hub_metrics_source_up``, read at scrape time."""

    def __init__(
        self, settings: Settings, session_factory: sessionmaker[Session], *, queues: tuple[str, ...] = CELERY_QUEUES
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.queues = queues
        broker = settings.celery_broker_url or settings.redis_url
        self._redis = (
            redis.Redis.from_url(
                broker,
                socket_timeout=settings.redis_timeout_seconds,
                socket_connect_timeout=settings.redis_timeout_seconds,
            )
            if settings.worker_mode == "celery" and broker.startswith(("redis://", "rediss://"))
            else None
        )

    def describe(self) -> list[Metric]:
        return []  # registering must not query anything

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "hub_metrics_source_up", "1 when this scrape could read the source (database, broker).", labels=["source"]
        )
        try:
            database = list(self._database_metrics())
        except Exception as error:  # noqa: BLE001  (a scrape reports the outage instead of failing)
            log.warning("metrics: the database did not answer", extra={"error_type": type(error).__name__})
            database = []
        up.add_metric(["database"], 1 if database else 0)
        yield from database
        if self._redis is not None:
            try:
                broker = list(self._broker_metrics())
            except redis.RedisError as error:
                log.warning("metrics: the broker did not answer", extra={"error_type": type(error).__name__})
                broker = []
            up.add_metric(["broker"], 1 if broker else 0)
            yield from broker
        fresh = GaugeMetricFamily(
            "hub_source_fresh_seconds", "FRESH_SECONDS: how old a copy may be and still be shown as fresh."
        )
        fresh.add_metric([], self.settings.fresh_seconds)
        yield fresh
        yield up

    def _database_metrics(self) -> Iterator[Metric]:
        now = clock.now()
        with self.session_factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text(f"SET LOCAL statement_timeout = {STATEMENT_TIMEOUT_MS}"))
            pending = OutboxEvent.processed_at.is_(None)
            backlog = _capped_count(session, select(OutboxEvent.id).where(pending))
            oldest = session.scalar(select(OutboxEvent.created_at).where(pending).order_by(OutboxEvent.id).limit(1))
            queued = _capped_count(session, select(PushDelivery.id).where(PushDelivery.state == "queued"))
            sending = _capped_count(session, select(PushDelivery.id).where(PushDelivery.state == "sending"))
            due = session.scalar(
                select(func.min(PushDelivery.next_attempt_at)).where(
                    PushDelivery.state == "queued", PushDelivery.next_attempt_at <= now
                )
            )
            chain = session.scalar(select(AuditChainHead.last_event_id).where(AuditChainHead.id == CHAIN_HEAD_ID))
            session.rollback()
        yield _gauge("hub_outbox_backlog", f"Outbox events not yet dispatched (counted up to {COUNT_CAP}).", backlog)
        yield _gauge(
            "hub_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox event not yet dispatched (0 when none waits).",
            _age(now, oldest),
        )
        waiting = GaugeMetricFamily(
            "hub_push_pending", f"Push deliveries queued or being sent (counted up to {COUNT_CAP}).", labels=["state"]
        )
        waiting.add_metric(["queued"], queued)
        waiting.add_metric(["sending"], sending)
        yield waiting
        yield _gauge(
            "hub_push_oldest_due_age_seconds",
            "How long the longest-waiting due push has been due (0 when none is).",
            _age(now, due),
        )
        yield _gauge(
            "hub_audit_chain_length", "Events in the audit hash chain (its head's sequence number).", chain or 0
        )

    def _broker_metrics(self) -> Iterator[Metric]:
        assert self._redis is not None
        lengths = GaugeMetricFamily(
            "hub_celery_queue_length", "Jobs waiting in the Celery queue (Redis LLEN).", labels=["queue"]
        )
        for queue in self.queues:
            lengths.add_metric([queue], self._redis.llen(queue))
        yield lengths
        yield _gauge(
            "hub_celery_unacked",
            "Jobs handed to a worker and not yet acknowledged (acknowledged late, when done).",
            self._redis.hlen(CELERY_UNACKED_KEY),
        )


def _capped_count(session: Session, ids) -> int:
    return session.scalar(select(func.count()).select_from(ids.limit(COUNT_CAP).subquery())) or 0


def _age(now, then) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family
