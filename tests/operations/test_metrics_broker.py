"""Celery's queue depth in ``/metrics``, read from the Redis broker (``TEST_REDIS_URL``; skipped without it)."""

from __future__ import annotations

import dataclasses

import pytest
import redis

from composition import build_hub, create_app
from notifications.dispatch import dispatch_job
from services.readiness import Readiness
from tests.operations.scrape import scrape


def celery_hub(settings, test_database, broker: str):
    celery = dataclasses.replace(settings, worker_mode="celery", celery_broker_url=broker)
    return build_hub(celery, engine=test_database.engine, readiness=Readiness(cache_seconds=0))


@pytest.fixture
def broker(redis_url):
    """The test's own Redis database, empty before and after (nothing else uses it)."""
    connection = redis.Redis.from_url(redis_url)
    connection.flushdb()
    yield redis_url
    connection.flushdb()


@pytest.mark.redis
def test_jobs_waiting_in_the_broker_are_the_queue_length(settings, test_database, hub, broker):
    publishing = celery_hub(settings, test_database, broker)
    client = create_app(hub=publishing).test_client()
    assert scrape(client).value("hub_celery_queue_length", queue="celery") == 0
    for _ in range(3):
        assert publishing.runner.submit(dispatch_job)  # no worker is running: they wait
    found = scrape(client)
    assert found.value("hub_celery_queue_length", queue="celery") == 3
    assert found.value("hub_celery_unacked") == 0
    assert found.value("hub_metrics_source_up", source="broker") == 1


def test_a_broker_that_does_not_answer_is_reported_not_a_failed_scrape(settings, test_database, hub):
    client = create_app(hub=celery_hub(settings, test_database, "redis://127.0.0.1:1/0")).test_client()
    found = scrape(client)
    assert found.value("hub_metrics_source_up", source="broker") == 0
    assert not found.has("hub_celery_queue_length", queue="celery")
    assert found.value("hub_metrics_source_up", source="database") == 1


def test_no_broker_no_queue_metrics(client):
    found = scrape(client)
    assert not found.has("hub_metrics_source_up", source="broker")
    assert "hub_celery_queue_length" not in found.families
