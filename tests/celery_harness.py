"""Running background jobs through a real Celery worker on a real Redis broker.

``TEST_REDIS_URL`` names the Redis database to use. Without it these tests skip locally; under ``CI=true``
a missing Redis is a failure, so the Celery path can never silently drop out of CI.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

import pytest


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Redis/Celery path: TEST_REDIS_URL is not set")
        pytest.skip("TEST_REDIS_URL not set (make test sets it under CI=true)")
    import redis

    redis.Redis.from_url(url).ping()
    return url


@pytest.fixture
def celery_worker_runner(hub, redis_url):
    """Swap the hub's runner for Celery over Redis and run a real worker thread while the test runs."""
    import redis
    from celery.contrib.testing.worker import start_worker

    from composition import create_celery
    from services.celery_app import CeleryRunner

    settings = hub.settings
    app = create_celery(
        type(settings).from_env({}, **{**settings.__dict__, "celery_broker_url": redis_url}), hub=hub, jobs=hub.jobs
    )
    # A queue of its own, so parallel test workers sharing one Redis never take each other's tasks.
    queue = f"hub-test-{uuid.uuid4().hex}"
    app.conf.task_default_queue = queue
    redis.Redis.from_url(redis_url).delete(queue)
    previous = hub.runner
    hub.runner = CeleryRunner(app, hub.jobs)
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10):
        yield hub.runner
    hub.runner = previous


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
