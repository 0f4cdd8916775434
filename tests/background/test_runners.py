"""The three runners execute the same registered job: manual (tests), in-process (embedded) and Celery."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.background import InProcessRunner, job
from services.models import AppClient
from tests.celery_harness import wait_until


@job("tests.register_app")
def register_app(context, client_id: str) -> None:
    """A real job: writes through its own session, idempotent like every job."""
    with context.session() as session:
        if session.scalar(select(AppClient).where(AppClient.client_id == client_id)) is None:
            session.add(AppClient(client_id=client_id, name="from a job", kind="partner"))
            session.commit()


def _count(hub_context, client_id: str) -> int:
    with hub_context.session() as session:
        return session.scalar(select(func.count()).where(AppClient.client_id == client_id))


def test_manual_runner_runs_only_when_told(hub_context):
    hub_context.runner.submit("tests.register_app", client_id="manual-app")
    assert _count(hub_context, "manual-app") == 0
    assert hub_context.runner.run_pending() == 1
    assert _count(hub_context, "manual-app") == 1


def test_in_process_runner_runs_jobs_in_the_background(hub_context):
    runner = InProcessRunner(hub_context, workers=2)
    for _ in range(3):
        runner.submit("tests.register_app", client_id="inprocess-app")
    runner.stop()
    assert _count(hub_context, "inprocess-app") == 1


@pytest.mark.redis
def test_celery_worker_runs_jobs_from_the_redis_broker(hub_context, celery_worker_runner):
    celery_worker_runner.submit("tests.register_app", client_id="celery-app")
    assert wait_until(lambda: _count(hub_context, "celery-app") == 1)
