"""Celery's queue depth in ``/metrics``, read from the Redis broker (``TEST_REDIS_URL``; skipped without it)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
import redis

from composition import build_hub, create_app
from notifications.dispatch import dispatch_job
from services.readiness import Readiness
from tests.operations.scrape import scrape


def celery_hub(settings, test_database, broker: str, queue: str = "celery"):
    celery = dataclasses.replace(settings, worker_mode="celery", celery_broker_url=broker)
    hub = build_hub(celery, engine=test_database.engine, readiness=Readiness(cache_seconds=0))
    hub.runner.celery.conf.task_default_queue = queue
    return hub


@pytest.fixture
def queue(redis_url):
    """A queue of the test's own: other tests on the same Redis never see its jobs, nor it theirs."""
    name = f"hub-metrics-test-{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(redis_url).delete(name)


@pytest.mark.redis
def test_jobs_waiting_in_the_broker_are_the_queue_length(settings, test_database, hub, redis_url, queue):
    publishing = celery_hub(settings, test_database, redis_url, queue)
    client = create_app(hub=publishing).test_client()
    assert scrape(client).value("hub_celery_queue_length", queue=queue) == 0
    for _ in range(3):
        assert publishing.runner.submit(dispatch_job)  # no worker takes from this queue: they wait
    found = scrape(client)
    assert found.value("hub_celery_queue_length", queue=queue) == 3
    assert found.has("hub_celery_unacked")
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


def test_a_worker_serving_its_metrics_needs_the_multiprocess_directory(settings, monkeypatch):
    from composition import create_celery
    from config import SettingsError

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with pytest.raises(SettingsError, match="PROMETHEUS_MULTIPROC_DIR"):
        create_celery(dataclasses.replace(settings, worker_metrics_bind="127.0.0.1:9799"))
