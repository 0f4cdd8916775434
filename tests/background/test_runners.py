"""The three runners execute the same registered job, submitted by reference: manual (tests), in-process (embedded)
and Celery."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from composition import build_hub
from services.background import InProcessRunner, ManualRunner, job
from services.models import AppClient
from tests.celery_harness import wait_until


@job("tests.register_app")
def register_app(hub, client_id: str) -> None:
    """A real job: writes through its own session, idempotent like every job."""
    with hub.session() as session:
        if session.scalar(select(AppClient).where(AppClient.client_id == client_id)) is None:
            session.add(AppClient(client_id=client_id, name="from a job", kind="partner"))
            session.commit()


@pytest.fixture
def hub(hub):
    """The test hub with this module's job in its registry (a runner refuses a job its workers would not know)."""
    jobs = hub.jobs.including(register_app)
    return build_hub(hub.settings, engine=hub.engine, readiness=hub.readiness, runner=ManualRunner, jobs=jobs)


def _count(hub, client_id: str) -> int:
    with hub.session() as session:
        return session.scalar(select(func.count()).where(AppClient.client_id == client_id))


def test_manual_runner_runs_only_when_told(hub):
    hub.runner.submit(register_app, client_id="manual-app")
    assert _count(hub, "manual-app") == 0
    assert hub.runner.run_pending() == 1
    assert _count(hub, "manual-app") == 1


def test_in_process_runner_runs_jobs_in_the_background(hub):
    runner = InProcessRunner(hub, hub.jobs, workers=2)
    for _ in range(3):
        runner.submit(register_app, client_id="inprocess-app")
    runner.stop()
    assert _count(hub, "inprocess-app") == 1


@pytest.mark.redis
def test_celery_worker_runs_jobs_from_the_redis_broker(hub, celery_worker_runner):
    celery_worker_runner.submit(register_app, client_id="celery-app")
    assert wait_until(lambda: _count(hub, "celery-app") == 1)
